package io.mmedstream.filter.service;

/**
 * Test paragraphs written for these tests (not taken from any corpus): a short clinical note and a short news item
 * per language, and paragraphs in languages the filter does not keep.
 */
public final class Samples {

    public static final String EN_MEDICAL = "A 58-year-old patient was admitted to the hospital with fever, cough and"
            + " dyspnea. The physician found hypertension and diabetes in the medical record. Computed tomography of"
            + " the thorax showed pneumonia, and the serum creatinine was raised. Antibiotic therapy was started and"
            + " the prognosis is good.";
    public static final String EN_NEWS = "The city council approved the new budget on Tuesday after a long debate."
            + " The mayor said the money will pay for road repairs, two new schools and a larger public library."
            + " Opposition members argued that taxes are already too high and promised to challenge the plan.";

    public static final String FR_MEDICAL = "Une femme de 45 ans a consulté aux urgences pour une douleur"
            + " abdominale, une fièvre et des vomissements. Le médecin a demandé une échographie et un scanner, qui"
            + " ont montré une appendicite. Une chirurgie par cœlioscopie a été réalisée sous anesthésie générale et"
            + " un traitement antibiotique a été prescrit.";
    public static final String FR_NEWS = "Le conseil municipal a voté mardi le nouveau budget après un long débat."
            + " Le maire a expliqué que l'argent servira à réparer les routes, à construire deux écoles et à agrandir"
            + " la bibliothèque. L'opposition estime que les impôts sont déjà trop élevés.";

    public static final String ES_MEDICAL = "Paciente de 62 años que acude a urgencias por dolor torácico y disnea."
            + " Tiene antecedente de hipertensión y diabetes. El electrocardiograma mostró una taquicardia y la"
            + " ecografía un derrame. Se inició tratamiento con anticoagulante y el diagnóstico fue de insuficiencia"
            + " cardíaca.";
    public static final String ES_NEWS = "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate."
            + " El alcalde explicó que el dinero servirá para arreglar las calles, construir dos escuelas y ampliar"
            + " la biblioteca municipal. La oposición considera que los impuestos ya son demasiado altos.";

    public static final String RU_MEDICAL = "Пациент 67 лет поступил в стационар с жалобами на кашель, одышку и"
            + " лихорадку. В анамнезе гипертония и диабет. Врач назначил рентген и анализ, диагноз: пневмония."
            + " Начато лечение, антибиотик вводили внутривенно, прогноз благоприятный.";
    public static final String RU_NEWS = "Городской совет во вторник утвердил новый бюджет после долгого обсуждения."
            + " Мэр сказал, что деньги пойдут на ремонт дорог, строительство двух школ и расширение библиотеки."
            + " Представители оппозиции считают, что налоги и так слишком высоки.";

    public static final String ZH_MEDICAL = "患者男性，六十岁，因咳嗽、发热三天到医院门诊就诊。既往有糖尿病和高血压病史。"
            + "医生查体后安排了血常规和胸部检查，诊断为肺炎，给予抗生素治疗，症状明显好转。";
    public static final String ZH_NEWS = "市议会周二经过长时间讨论后通过了新的预算。市长表示，这笔资金将用于修路、"
            + "新建两所学校以及扩建公共图书馆。反对派认为税收已经太高，并表示将对该计划提出质疑。";

    public static final String JA_MEDICAL = "患者は七十歳の男性で、発熱と咳嗽を主訴に救急外来を受診した。既往歴に高血圧と"
            + "糖尿病がある。胸部の画像検査で肺炎と診断し、入院の上で抗菌薬による治療を開始したところ、症状は改善した。";
    public static final String JA_NEWS = "市議会は火曜日、長い議論の末に新しい予算案を可決した。市長は、この資金を道路の"
            + "補修や二つの学校の新設、図書館の拡張に充てると説明した。野党は税金がすでに高すぎると主張している。";

    public static final String IT_TEXT = "Il consiglio comunale ha approvato martedì il nuovo bilancio dopo un lungo"
            + " dibattito. Il sindaco ha spiegato che i fondi serviranno a riparare le strade, costruire due scuole"
            + " e ampliare la biblioteca. L'opposizione ritiene che le tasse siano già troppo alte.";
    public static final String DE_TEXT = "Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt"
            + " beschlossen. Der Bürgermeister erklärte, dass das Geld für die Reparatur von Straßen, zwei neue"
            + " Schulen und eine größere Bibliothek verwendet wird. Die Opposition hält die Steuern für zu hoch.";
    public static final String PT_TEXT = "A câmara municipal aprovou na terça-feira o novo orçamento depois de um longo"
            + " debate. O presidente da câmara explicou que o dinheiro vai servir para reparar as estradas, construir"
            + " duas escolas e ampliar a biblioteca. A oposição considera que os impostos já são demasiado altos.";
    public static final String CA_TEXT = "L'ajuntament va aprovar dimarts el nou pressupost després d'un llarg debat."
            + " L'alcalde va explicar que els diners serviran per arreglar els carrers, construir dues escoles i"
            + " ampliar la biblioteca. L'oposició considera que els impostos ja són massa alts per a les famílies.";
    public static final String NL_TEXT = "De gemeenteraad heeft dinsdag na een lang debat de nieuwe begroting"
            + " goedgekeurd. De burgemeester zei dat het geld wordt gebruikt voor het herstel van wegen, twee nieuwe"
            + " scholen en een grotere bibliotheek. De oppositie vindt dat de belastingen al te hoog zijn.";
    public static final String PL_TEXT = "Rada miejska zatwierdziła we wtorek nowy budżet po długiej debacie."
            + " Burmistrz wyjaśnił, że pieniądze zostaną przeznaczone na naprawę dróg, budowę dwóch szkół i"
            + " rozbudowę biblioteki. Opozycja uważa, że podatki są już zbyt wysokie dla mieszkańców.";
    public static final String UK_TEXT = "Міська рада у вівторок після тривалого обговорення затвердила новий"
            + " бюджет. Мер сказав, що гроші підуть на ремонт доріг, будівництво двох шкіл і розширення бібліотеки."
            + " Опозиція вважає, що податки і так занадто високі для мешканців міста.";
    public static final String BG_TEXT = "Общинският съвет одобри във вторник новия бюджет след дълъг дебат. Кметът"
            + " каза, че парите ще бъдат използвани за ремонт на пътища, изграждане на две училища и разширяване на"
            + " библиотеката. Опозицията смята, че данъците вече са твърде високи.";
    public static final String AR_TEXT = "وافق المجلس البلدي يوم الثلاثاء على الميزانية الجديدة بعد نقاش طويل. وقال"
            + " رئيس البلدية إن الأموال ستستخدم لإصلاح الطرق وبناء مدرستين جديدتين وتوسيع المكتبة العامة.";

    private static DocumentFilter defaults;
    private static DocumentFilter paper;

    private Samples() {
    }

    /**
     * One default filter (lexical-v2, quality rules, PII masking) for every test class of the JVM: building it loads
     * the language models (seconds).
     */
    public static synchronized DocumentFilter defaultFilter() {
        if (defaults == null) {
            defaults = DocumentFilter.withDefaults();
        }
        return defaults;
    }

    /** The paper's method alone: relevance mode mmedc, no quality rules, no PII masking. */
    public static synchronized DocumentFilter paperFilter() {
        if (paper == null) {
            paper = new DocumentFilter(FilterSettings.builder().relevanceMode(FilterSettings.MMEDC_MODE)
                    .qualityEnabled(false).piiMasking(false).build());
        }
        return paper;
    }
}
