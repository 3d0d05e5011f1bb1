package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PiiMaskerTest {

    private final PiiMasker masker = new PiiMasker(9);

    @Test
    void emailAddressesAreMasked() {
        PiiMasker.Result r = masker.mask("Write to dr.martin+clinic@hopital-nord.example.fr or a_b@x.co.uk.");

        assertThat(r.text()).isEqualTo("Write to <EMAIL> or <EMAIL>.");
        assertThat(r.emails()).isEqualTo(2);
        assertThat(r.total()).isEqualTo(2);
    }

    @Test
    void anAddressOfThousandsOfDottedLabelsIsMaskedWithoutOverflowingTheStack() throws Exception {
        // An unbounded repeated group made java.util.regex recurse once per label: ~900 labels overflowed a 1 MiB
        // stack. Run on a small stack, so that a regression cannot hide behind a large default one.
        String address = "x@a" + ".ab".repeat(10_000);
        String text = "Contact " + address + " for the results.";
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try {
                outcome.set(masker.mask(text));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();

        assertThat(outcome.get()).isInstanceOf(PiiMasker.Result.class);
        PiiMasker.Result r = (PiiMasker.Result) outcome.get();
        assertThat(r.emails()).isEqualTo(1);
        assertThat(r.text()).startsWith("Contact <EMAIL>").endsWith(" for the results.").doesNotContain("x@a");
    }

    @Test
    void addressesWithLongLabelsAndSeveralAtSignsAreMaskedAsBefore() {
        assertThat(masker.mask("x a@" + "b".repeat(64) + ".com y").text()).isEqualTo("x <EMAIL> y");
        assertThat(masker.mask("a@b@c.com and @x.org, .@y.net").text()).isEqualTo("a@<EMAIL> and @x.org, .@y.net");
        assertThat(masker.mask("to: ann@clinic.example.org.").text()).isEqualTo("to: <EMAIL>.");
        assertThat(masker.mask("bob@host.com-x 2@3.4").text()).isEqualTo("<EMAIL>-x 2@3.4");
    }

    @Test
    void emailInsideChineseTextKeepsTheChinese() {
        assertThat(masker.mask("请发邮件至zhang.wei@example.cn联系医生").text()).isEqualTo("请发邮件至<EMAIL>联系医生");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+33 1 23 45 67 89", "+7 (495) 123-45-67", "8 (495) 123-45-67", "(555) 123-4567",
            "555-123-4567", "03-1234-5678", "090-1234-5678", "01.23.45.67.89", "0571-88881234", "13812345678",
            "+1-202-555-0143", "020 7946 0958"})
    void phoneNumbersAreMasked(String phone) {
        PiiMasker.Result r = masker.mask("Call " + phone + " today.");

        assertThat(r.text()).isEqualTo("Call <PHONE> today.");
        assertThat(r.phones()).isEqualTo(1);
    }

    @Test
    void spaceGroupedNumberIsAPhoneAfterAPhoneWord() {
        assertThat(masker.mask("телефон: 8 495 123 45 67").text()).isEqualTo("телефон: <PHONE>");
        assertThat(masker.mask("values 8 495 123 45 67").text()).isEqualTo("values 8 495 123 45 67");
    }

    @Test
    void ipAddressesAreMasked() {
        PiiMasker.Result r = masker.mask("Server 192.168.10.25 and 2001:db8:85a3::8a2e:370:7334 and "
                + "fe80::1ff:fe23:4567:890a, full 2001:0db8:0000:0000:0000:ff00:0042:8329.");

        assertThat(r.text()).isEqualTo("Server <IP> and <IP> and <IP>, full <IP>.");
        assertThat(r.ips()).isEqualTo(4);
    }

    @Test
    void theScansThatGateTheIpExpressionsPassEveryCandidate() {
        assertThat(PiiMasker.mayHoldIpv4("server 192.168.1.20 down")).isTrue();
        assertThat(PiiMasker.mayHoldIpv4("section 1.2.3.4")).isTrue(); // the expression then keeps it
        assertThat(PiiMasker.mayHoldIpv4("version 1.2.3, 1234.5.6.7, 12.5 mg")).isFalse();
        assertThat(PiiMasker.mayHoldIpv6("host fe80::1ff:fe23:4567:890a")).isTrue();
        assertThat(PiiMasker.mayHoldIpv6("at 12:30:45")).isTrue(); // the expression then keeps it
        assertThat(PiiMasker.mayHoldIpv6("Note: dose: 5 mg; time 12:30")).isFalse();
    }

    @Test
    void longIdentifierNumbersAreMasked() {
        PiiMasker.Result r = masker.mask("Patient ID 123456789, record 00012345678901, card 4111 1111 1111 1111,"
                + " SSN 123-45-6789.");

        assertThat(r.text()).isEqualTo("Patient ID <ID>, record <ID>, card <ID>, SSN <ID>.");
        assertThat(r.ids()).isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"120/80 mmHg", "2019", "500 mg", "1.5 mmol/L", "5,4 ммоль/л", "2019-03-12",
            "12.03.2019", "12:30:45", "10-20 mg", "3.5-5.0 mmol/L", "1,000,000 cells", "1 234 567 euros",
            "version 1.2.3.4", "10.0.0.1", "ratio 1:2:3", "3.14159265358979", "ISBN 978-3-16-148410-0",
            "B12 250 pmol/L", "HbA1c 48 mmol/mol", "NCT01234567", "platelets 250000/mm3",
            "2019-2020", "WBC 12 500 000", "0 12 15 20 25 30"})
    void clinicalNumbersDatesAndVersionsAreKept(String text) {
        PiiMasker.Result r = masker.mask(text);

        assertThat(r.text()).isEqualTo(text);
        assertThat(r.total()).isZero();
    }

    @Test
    void textWithoutPiiIsReturnedAsItIs() {
        String text = "No personal data here: 38.5 °C, 2 tablets of 500 mg.";

        assertThat(masker.mask(text).text()).isSameAs(text);
    }

    @Test
    void identifierLengthBelowNineDigitsIsRefused() {
        assertThatThrownBy(() -> new PiiMasker(8)).isInstanceOf(IllegalArgumentException.class);
    }
}
