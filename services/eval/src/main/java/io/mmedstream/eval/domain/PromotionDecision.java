package io.mmedstream.eval.domain;

import java.util.Objects;

/**
 * What the promotion policy decided for one evaluated checkpoint.
 *
 * @param promote whether the checkpoint becomes the one to serve
 * @param reason  why, in words, with the figures compared (logged and published in ModelPromoted)
 */
public record PromotionDecision(boolean promote, String reason) {

    public PromotionDecision {
        Objects.requireNonNull(reason, "reason");
    }
}
