package io.mmedstream.filter.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a near-duplicate test set from documents we have: perturbed copies of each document, made by random edits
 * (word insertions, deletions and substitutions, per character for zh and ja), sentence reorderings, boilerplate
 * added (cookie banners, navigation, footers) and text cut away, at rates drawn at random, so that the copies' true
 * Jaccard similarities to their originals spread from about 0.2 to 1. The true similarity of each pair is computed
 * exactly on the shingle sets ({@link Shingler#shingles}). Deterministic for a seed.
 */
public final class NearDupTestSet {

    /** A document: id, language, text. */
    public record Doc(String id, String lang, String text) {
    }

    /**
     * A perturbed copy of {@code originalId}: how it was made ({@code kind}, e.g. "edit 4.2%") and its true Jaccard
     * similarity to the original on shingles.
     */
    public record Copy(String originalId, String lang, String text, String kind, double trueJaccard) {
    }

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?。！？])\\s*");

    /** Web page furniture in the six languages, written for this test set. */
    private static final Map<String, List<String>> BOILERPLATE = Map.of(
            "en", List.of("We use cookies to improve your experience. By continuing you accept our cookie policy.",
                    "Home | About us | Contact | Privacy policy | Terms of use",
                    "Share this article on Facebook, Twitter or by e-mail.",
                    "Copyright 2024 All rights reserved. Reproduction without permission is prohibited.",
                    "Subscribe to our newsletter to receive the latest updates every week.",
                    "Skip to main content. Menu. Search this site.",
                    "Related articles: see also our most read stories of the month."),
            "fr", List.of("Nous utilisons des cookies pour améliorer votre expérience. En poursuivant, vous acceptez.",
                    "Accueil | Qui sommes-nous | Contact | Mentions légales",
                    "Partager cet article sur les réseaux sociaux ou par courriel.",
                    "Tous droits réservés. Toute reproduction est interdite sans autorisation.",
                    "Abonnez-vous à notre lettre d'information hebdomadaire."),
            "es", List.of("Utilizamos cookies para mejorar su experiencia. Si continúa navegando, acepta su uso.",
                    "Inicio | Quiénes somos | Contacto | Aviso legal | Política de privacidad",
                    "Comparte este artículo en tus redes sociales.",
                    "Todos los derechos reservados. Prohibida su reproducción total o parcial.",
                    "Suscríbase a nuestro boletín para recibir las últimas novedades."),
            "ru", List.of("Мы используем файлы cookie, чтобы улучшить работу сайта. Продолжая, вы соглашаетесь.",
                    "Главная | О нас | Контакты | Политика конфиденциальности",
                    "Поделиться статьёй в социальных сетях.",
                    "Все права защищены. Перепечатка материалов без разрешения запрещена.",
                    "Подпишитесь на нашу рассылку, чтобы получать новости каждую неделю."),
            "zh", List.of("本网站使用cookie以改善您的浏览体验，继续浏览即表示您同意我们的隐私政策。",
                    "首页 | 关于我们 | 联系我们 | 隐私政策 | 使用条款",
                    "分享到微信、微博或通过电子邮件发送给朋友。",
                    "版权所有，未经许可不得转载。",
                    "订阅我们的新闻通讯，每周获取最新资讯。"),
            "ja", List.of("当サイトではサービス向上のためにクッキーを使用しています。閲覧を続けると同意したものとみなします。",
                    "ホーム | 会社概要 | お問い合わせ | プライバシーポリシー",
                    "この記事をSNSでシェアする。",
                    "無断転載を禁じます。著作権は当社に帰属します。",
                    "ニュースレターに登録して最新情報を毎週受け取りましょう。"));

    private final Shingler shingler;
    private final Random random;
    private final Map<String, List<String>> vocabulary = new HashMap<>();

    public NearDupTestSet(Shingler shingler, long seed, List<Doc> corpus) {
        this.shingler = shingler;
        this.random = new Random(seed);
        for (Doc doc : corpus) {
            vocabulary.computeIfAbsent(doc.lang(), l -> new ArrayList<>()).addAll(tokens(doc));
        }
    }

    /** {@code perDoc} perturbed copies of each document. */
    public List<Copy> copies(List<Doc> originals, int perDoc) {
        List<Copy> out = new ArrayList<>();
        for (Doc doc : originals) {
            Set<String> original = shingler.shingles(doc.text(), doc.lang());
            for (int i = 0; i < perDoc; i++) {
                String[] made = perturb(doc);
                out.add(new Copy(doc.id(), doc.lang(), made[0], made[1],
                        jaccard(original, shingler.shingles(made[0], doc.lang()))));
            }
        }
        return out;
    }

    /** Exact Jaccard similarity of two sets (1 when both are empty). */
    public static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1.0;
        }
        Set<String> small = a.size() <= b.size() ? a : b;
        Set<String> large = small == a ? b : a;
        int common = 0;
        for (String s : small) {
            if (large.contains(s)) {
                common++;
            }
        }
        return (double) common / (a.size() + b.size() - common);
    }

    /** {text, kind}. */
    private String[] perturb(Doc doc) {
        double pick = random.nextDouble();
        if (pick < 0.4) {
            double rate = random.nextDouble() * 0.12;
            return new String[] {edit(doc, doc.text(), rate), String.format("edit %.1f%%", rate * 100)};
        }
        if (pick < 0.6) {
            int swaps = 1 + random.nextInt(3);
            double rate = random.nextDouble() * 0.03;
            return new String[] {edit(doc, reorder(doc, doc.text(), swaps), rate),
                    String.format("reorder %d + edit %.1f%%", swaps, rate * 100)};
        }
        if (pick < 0.8) {
            double share = 0.05 + random.nextDouble() * 0.75;
            return new String[] {addBoilerplate(doc, doc.text(), share),
                    String.format("boilerplate +%.0f%%", share * 100)};
        }
        if (pick < 0.9) {
            double share = 0.05 + random.nextDouble() * 0.35;
            return new String[] {cut(doc, doc.text(), share), String.format("cut %.0f%%", share * 100)};
        }
        double rate = random.nextDouble() * 0.05;
        double share = 0.05 + random.nextDouble() * 0.3;
        return new String[] {addBoilerplate(doc, edit(doc, reorder(doc, doc.text(), 1), rate), share),
                String.format("mixed: reorder 1 + edit %.1f%% + boilerplate +%.0f%%", rate * 100, share * 100)};
    }

    /** Each token is, with probability {@code rate}, deleted, substituted or followed by an inserted one. */
    private String edit(Doc doc, String text, double rate) {
        boolean chars = shingler.byCharacters(doc.lang());
        List<String> vocab = vocabulary.get(doc.lang());
        List<String> parts = chars ? codePoints(text) : Arrays.asList(text.split(" "));
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (String part : parts) {
            String token = part;
            if (random.nextDouble() < rate) {
                switch (random.nextInt(3)) {
                    case 0 -> token = null; // delete
                    case 1 -> token = vocab.get(random.nextInt(vocab.size())); // substitute
                    default -> token = part + (chars ? "" : " ") + vocab.get(random.nextInt(vocab.size())); // insert
                }
            }
            if (token != null) {
                if (!chars && !out.isEmpty()) {
                    out.append(' ');
                }
                out.append(token);
            }
        }
        return out.toString();
    }

    private String reorder(Doc doc, String text, int swaps) {
        List<String> sentences = new ArrayList<>(Arrays.asList(SENTENCE_END.split(text)));
        if (sentences.size() < 2) {
            return text;
        }
        for (int i = 0; i < swaps; i++) {
            int a = random.nextInt(sentences.size());
            int b = random.nextInt(sentences.size());
            String t = sentences.get(a);
            sentences.set(a, sentences.get(b));
            sentences.set(b, t);
        }
        return String.join(shingler.byCharacters(doc.lang()) ? "" : " ", sentences);
    }

    /** Adds boilerplate lines, about {@code share} of the text's length, before, after, or both. */
    private String addBoilerplate(Doc doc, String text, double share) {
        List<String> bank = BOILERPLATE.getOrDefault(doc.lang(), BOILERPLATE.get("en"));
        StringBuilder head = new StringBuilder();
        StringBuilder tail = new StringBuilder();
        int where = random.nextInt(3);
        int added = 0;
        while (added < share * text.length()) {
            String line = bank.get(random.nextInt(bank.size()));
            StringBuilder to = where == 0 || (where == 2 && random.nextBoolean()) ? head : tail;
            to.append(line).append('\n');
            added += line.length();
        }
        return head + text + (tail.isEmpty() ? "" : "\n" + tail.toString().strip());
    }

    /** Cuts about {@code share} of the text from its start or its end, at sentence boundaries where it has some. */
    private String cut(Doc doc, String text, double share) {
        List<String> sentences = new ArrayList<>(Arrays.asList(SENTENCE_END.split(text)));
        String joiner = shingler.byCharacters(doc.lang()) ? "" : " ";
        int target = (int) (share * text.length());
        boolean fromStart = random.nextBoolean();
        int removed = 0;
        while (sentences.size() > 1 && removed < target) {
            removed += (fromStart ? sentences.remove(0) : sentences.remove(sentences.size() - 1)).length();
        }
        if (removed == 0) { // a single sentence: cut characters
            int keep = Math.max(1, text.length() - target);
            return fromStart ? text.substring(text.length() - keep) : text.substring(0, keep);
        }
        return String.join(joiner, sentences);
    }

    private List<String> tokens(Doc doc) {
        return shingler.byCharacters(doc.lang()) ? codePoints(doc.text())
                : Arrays.stream(doc.text().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> codePoints(String text) {
        List<String> out = new ArrayList<>(text.length());
        text.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }
}
