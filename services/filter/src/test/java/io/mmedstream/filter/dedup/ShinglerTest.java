package io.mmedstream.filter.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ShinglerTest {

    private final Shingler shingler = new Shingler(DedupSettings.defaults());

    @Test
    void wordShinglesAreFiveCaseFoldedWordsIgnoringPunctuation() {
        Set<String> shingles = shingler.shingles("The patient, aged 58, had FEVER and cough.", "en");

        assertThat(shingles).containsExactlyInAnyOrder(
                "the patient aged 58 had", "patient aged 58 had fever", "aged 58 had fever and",
                "58 had fever and cough");
    }

    @Test
    void chineseAndJapaneseAreShingledByFiveCharactersSkippingPunctuation() {
        assertThat(shingler.byCharacters("zh")).isTrue();
        assertThat(shingler.byCharacters("ja")).isTrue();
        assertThat(shingler.byCharacters("en")).isFalse();

        assertThat(shingler.shingles("患者发热，咳嗽。", "zh"))
                .containsExactlyInAnyOrder("患者发热咳", "者发热咳嗽");
        assertThat(shingler.shingles("発熱と咳嗽", "ja")).containsExactly("発熱と咳嗽");
    }

    @Test
    void chineseTextWithoutSpacesWouldBeOneWordButIsManyCharacterShingles() {
        String text = "患者男性六十岁因咳嗽发热三天到医院门诊就诊";

        assertThat(shingler.shingles(text, "en")).hasSize(1);
        assertThat(shingler.shingles(text, "zh")).hasSize(text.length() - 4);
    }

    @Test
    void textShorterThanAShingleIsOneShingleAndTextWithoutTokensHasNone() {
        assertThat(shingler.shingles("acute otitis media", "en")).containsExactly("acute otitis media");
        assertThat(shingler.hashes("acute otitis media", "en", null).count()).isEqualTo(1);
        assertThat(shingler.shingles(" ,.;! ", "en")).isEmpty();
        assertThat(shingler.hashes(" ,.;! ", "en", null).count()).isZero();
    }

    @Test
    void hashedShinglesAreTheStringShinglesOneToOne() {
        String[][] texts = {
                {"en", "A 67-year-old man with hypertension presented with chest pain; the ECG showed ST elevation and"
                        + " troponin was raised. He underwent angioplasty. The chest pain resolved."},
                {"fr", "Une femme de 45 ans a consulté aux urgences pour une douleur abdominale à l'hôpital."},
                {"ru", "Пациентка К., 34 лет, доставлена в приёмное отделение с жалобами на головную боль."},
                {"zh", "病例报告：患者男，58岁，因反复胸闷3年，加重伴胸痛2小时入院。既往高血压病史10年。"},
                {"ja", "【症例】65歳男性。3日前からの発熱、咳嗽、膿性痰を主訴に来院した。"}};
        for (String[] t : texts) {
            Shingler.Hashes hashes = shingler.hashes(t[1], t[0], null);
            long distinct = Arrays.stream(hashes.values(), 0, hashes.count()).distinct().count();

            assertThat(distinct).as(t[0]).isEqualTo(shingler.shingles(t[1], t[0]).size());
        }
    }

    @Test
    void sameTextInOtherCaseAndSpacingHasTheSameShingleHashes() {
        Shingler.Hashes a = shingler.hashes("Acute  Myocardial infarction, treated with PCI.", "en", null);
        Shingler.Hashes b = shingler.hashes("acute myocardial\ninfarction treated with pci", "en", null);

        assertThat(Arrays.copyOf(a.values(), a.count())).containsExactly(Arrays.copyOf(b.values(), b.count()));
    }
}
