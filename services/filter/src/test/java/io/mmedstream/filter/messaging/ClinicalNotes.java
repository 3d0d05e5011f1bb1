package io.mmedstream.filter.messaging;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Clinical case notes written for the deduplication tests (not taken from any corpus), long enough for the engine to
 * accept and for 5-word shingles to matter, each on a different case so that they are not near duplicates of one
 * another nor of {@code Samples}.
 */
final class ClinicalNotes {

    static final String STEMI = "A 67-year-old man with a history of hypertension and type 2 diabetes presented to"
            + " the emergency department with ninety minutes of crushing retrosternal chest pain radiating to the left"
            + " arm, associated with diaphoresis and nausea. His blood pressure was 158/94 mmHg and his heart rate 104"
            + " beats per minute. The electrocardiogram showed ST-segment elevation in the inferior leads and the"
            + " high-sensitivity troponin was markedly raised. He received aspirin, ticagrelor and heparin and"
            + " underwent primary angioplasty of the right coronary artery with one drug-eluting stent. The"
            + " echocardiogram showed a preserved ejection fraction. He was discharged on the fourth day on dual"
            + " antiplatelet therapy, a statin, an ACE inhibitor and a beta blocker, with cardiac rehabilitation.";

    static final String PNEUMONIA = "A 72-year-old woman with chronic obstructive pulmonary disease was admitted with"
            + " three days of fever, productive cough and worsening dyspnea. On examination she was tachypneic, her"
            + " oxygen saturation was 88 percent on room air and crackles were heard over the right lower lobe. The"
            + " chest radiograph showed a right lower lobe consolidation, the white cell count and the C-reactive"
            + " protein were elevated, and blood cultures grew Streptococcus pneumoniae. She was treated with"
            + " intravenous ceftriaxone and oral azithromycin, supplemental oxygen and inhaled bronchodilators. Her"
            + " fever settled within forty-eight hours and she was switched to oral amoxicillin. She was discharged"
            + " after six days with a follow-up appointment at the respiratory clinic and a pneumococcal vaccination.";

    static final String APPENDICITIS = "A 19-year-old man presented to the surgical emergency unit with twenty hours"
            + " of periumbilical pain migrating to the right iliac fossa, anorexia, nausea and a temperature of 38.2"
            + " degrees. Examination revealed rebound tenderness at McBurney's point and a positive Rovsing sign. The"
            + " leukocyte count was 15,600 per microliter with neutrophilia. Abdominal ultrasound showed a"
            + " non-compressible appendix of eleven millimetres with periappendiceal fat stranding. He underwent"
            + " laparoscopic appendectomy under general anaesthesia; histology confirmed acute phlegmonous"
            + " appendicitis without perforation. He received perioperative antibiotic prophylaxis, resumed oral"
            + " intake on the first postoperative day and was discharged home on the second day without complication.";

    static final String DIABETIC_KETOACIDOSIS = "A 24-year-old woman with type 1 diabetes mellitus was brought"
            + " to the emergency department with two days of polyuria, polydipsia, vomiting and diffuse abdominal"
            + " pain after omitting her insulin during a gastrointestinal infection. She was drowsy, dehydrated and"
            + " breathing deeply. Capillary glucose was 31 millimoles per litre, venous pH 7.08, bicarbonate 6"
            + " millimoles per litre, with an anion gap of 28 and raised blood ketones. She received intravenous"
            + " isotonic saline, a fixed-rate insulin infusion and potassium replacement under cardiac monitoring in"
            + " the high-dependency unit. The acidosis resolved within eighteen hours, she was converted to"
            + " subcutaneous basal-bolus insulin, and the diabetes specialist nurse reviewed sick-day rules with her.";

    private ClinicalNotes() {
    }

    /** The doc_id ingest gives a normalised text: "d" + the first 32 hex digits of its SHA-256. */
    static String docId(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "d" + HexFormat.of().formatHex(digest).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
