"""The texts of the client printouts (consent form, data protection sheet, appointment slip) in
German and the clients' languages: the defaults the database is seeded with (PrintText), the
languages, and reading one printout's texts for one language.

German is the binding text. The translations were written without a qualified translator: they
are seeded "not reviewed", and every printout in a language whose texts are not all reviewed
says, in both languages, that it is a convenience translation and the German text prevails.
Placeholders in braces are filled by referrals.placeholders (a fixed list per text: the ones
its German default uses).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from caseworks.languages import members
from referrals.placeholders import placeholders_in

# Code, the language's own name, the German name (for the caseworker's choice).
LANGUAGES: list[tuple[str, str, str]] = [
    ("de", "Deutsch", "Deutsch"),
    ("en", "English", "Englisch"),
    ("ar", "العربية", "Arabisch"),
    ("fa", "فارسی / دری", "Farsi/Dari"),
    ("ps", "پښتو", "Paschtu"),
    ("uk", "Українська", "Ukrainisch"),
    ("ru", "Русский", "Russisch"),
    ("tr", "Türkçe", "Türkisch"),
    ("kmr", "Kurmancî", "Kurdisch (Kurmandschi)"),
    ("ti", "ትግርኛ", "Tigrinya"),
    ("fr", "Français", "Französisch"),
]
LANGUAGE_CODES = [code for code, _own, _german in LANGUAGES]
CLIENT_LANGUAGES = LANGUAGE_CODES[1:]
RTL = frozenset({"ar", "fa", "ps"})
OWN_NAMES = {code: own for code, own, _german in LANGUAGES}
GERMAN_NAMES = {code: german for code, _own, german in LANGUAGES}

# The clients' languages (ISO 639-3 codes, caseworks.languages) each printout language
# serves: the language and, for a macrolanguage, its languages (members: Arabic texts serve
# Levantine Arabic, Persian texts Dari). Kurmanji texts also serve who gave only "Kurdisch"
# (Kurmanji is what most Kurdish speakers here read), not Sorani, written in Arabic script.
LANGUAGE_SERVES: dict[str, frozenset[str]] = {
    "en": members("eng"),
    "ar": members("ara"),
    "fa": members("fas"),
    "ps": members("pus"),
    "uk": members("ukr"),
    "ru": members("rus"),
    "tr": members("tur"),
    "kmr": frozenset({"kmr", "kur"}),
    "ti": members("tir"),
    "fr": members("fra"),
}

CONSENT = "consent_form"
INFO_SHEET = "info_sheet"
SLIP = "appointment_slip"
REMINDER = "reminders"
COMMON = "common"

# fmt: off
DEFAULTS: dict[str, dict[str, dict[str, str]]] = {
    "de": {
        COMMON: {
            "notice": "Diese Übersetzung dient nur dem besseren Verständnis. Sie wurde noch nicht von einer qualifizierten Übersetzerin oder einem qualifizierten Übersetzer geprüft. Maßgeblich ist der deutsche Text.",  # noqa: E501
        },
        CONSENT: {
            "title": "Schweigepflichtentbindung",
            "intro": "Ich erlaube {organisation}, die unten angekreuzten Angaben über mich an die genannten Stellen weiterzugeben und mit ihnen darüber zu sprechen. Dafür entbinde ich {organisation} von der Schweigepflicht.",  # noqa: E501
            "person": "Person",
            "recipients": "An diese Stellen",
            "purpose": "Zweck",
            "data": "Diese Angaben",
            "data_name": "Name und Geburtsdatum",
            "data_contact": "Anschrift, Telefon und E-Mail",
            "data_language": "Sprachen und Bedarf an Sprachmittlung",
            "data_reason": "Anlass der Vermittlung",
            "valid_until": "Gültig bis {date}.",
            "valid_open": "Gültig, bis ich widerrufe.",
            "revocation": "Die Entbindung ist freiwillig. Sie können sie jederzeit ohne Angabe von Gründen ganz oder teilweise widerrufen, mündlich oder schriftlich bei {organisation}. Der Widerruf gilt für die Zukunft. Wenn Sie nicht unterschreiben oder widerrufen, begleiten wir Sie trotzdem weiter.",  # noqa: E501
            "sign_client": "Datum, Unterschrift der Person",
            "sign_staff": "Datum, Unterschrift Mitarbeiter·in",
        },
        INFO_SHEET: {
            "title": "Information zum Datenschutz",
            "basis": "Diese Information erhalten Sie nach {law}.",
            "controller": "Verantwortlich für Ihre Daten ist {organisation}.",
            "dpo": "So erreichen Sie unsere Datenschutzbeauftragte oder unseren Datenschutzbeauftragten:",  # noqa: E501
            "purpose": "Wir verarbeiten Ihre Daten, um Sie zu beraten und zu begleiten: bei Besuchen, bei Terminen mit Behörden, Ärztinnen und Ärzten und bei der Vermittlung an Beratungsstellen. Dazu gehören auch Angaben zu Aufenthalt, Familie und Gesundheit, soweit die Begleitung sie braucht.",  # noqa: E501
            "legal": "Rechtsgrundlage: {legal}.",
            "recipients": "Andere Stellen erhalten Ihre Daten nur, wenn Sie schriftlich zugestimmt haben (Schweigepflichtentbindung) oder ein Gesetz uns dazu verpflichtet.",  # noqa: E501
            "retention": "Wir löschen Ihre Daten {years} Jahre nach dem Ende der Begleitung.",
            "rights": "Sie haben das Recht auf Auskunft über Ihre Daten, auf Berichtigung, Löschung und Einschränkung der Verarbeitung und auf Widerspruch. Eine Einwilligung können Sie jederzeit für die Zukunft widerrufen.",  # noqa: E501
            "complaint": "Sie können sich bei der Datenschutzaufsicht beschweren: {authority}.",
            "voluntary": "Ihre Angaben sind freiwillig. Ohne sie können wir Sie aber nur eingeschränkt begleiten.",  # noqa: E501
        },
        SLIP: {
            "title": "Ihr Termin",
            "date": "Datum",
            "time": "Uhrzeit",
            "clock": "{time} Uhr",
            "place": "Ort",
            "bring": "Bitte mitbringen",
            "bring_items": "Ausweis oder Aufenthaltsdokument, Gesundheitskarte, diesen Zettel und alle Briefe zu diesem Termin",  # noqa: E501
            "along": "Es kommt mit",
            "nobody": "Niemand von uns kommt mit. Bitte gehen Sie selbst hin.",
            "role_staff": "Mitarbeiter·in der Flüchtlingsbegleitung",
            "role_volunteer": "Ehrenamtliche Begleitung",
            "role_interpreter": "Sprachmittlung",
            "role_family": "Familie",
            "contact": "Wenn Sie nicht kommen können oder Fragen haben, melden Sie sich bitte:",
            "weekdays": "Montag, Dienstag, Mittwoch, Donnerstag, Freitag, Samstag, Sonntag",
        },
    },
    "en": {
        COMMON: {
            "notice": "This translation is only meant to help you understand. It has not yet been checked by a qualified translator. The German text is binding.",  # noqa: E501
        },
        CONSENT: {
            "title": "Release from confidentiality",
            "intro": "I allow {organisation} to pass on the information about me ticked below to the bodies named and to talk with them about it. For this I release {organisation} from its duty of confidentiality.",  # noqa: E501
            "person": "Person",
            "recipients": "To these bodies",
            "purpose": "Purpose",
            "data": "This information",
            "data_name": "Name and date of birth",
            "data_contact": "Address, phone and e-mail",
            "data_language": "Languages and need for an interpreter",
            "data_reason": "Reason for the referral",
            "valid_until": "Valid until {date}.",
            "valid_open": "Valid until I revoke it.",
            "revocation": "This release is voluntary. You can revoke it at any time, fully or in part, without giving reasons, orally or in writing to {organisation}. The revocation applies to the future. If you do not sign or if you revoke it, we will still continue to support you.",  # noqa: E501
            "sign_client": "Date, signature of the person",
            "sign_staff": "Date, signature of the staff member",
        },
        INFO_SHEET: {
            "title": "Information on data protection",
            "basis": "You receive this information under {law}.",
            "controller": "{organisation} is responsible for your data.",
            "dpo": "How to reach our data protection officer:",
            "purpose": "We process your data to advise and accompany you: during visits, at appointments with authorities and doctors, and when we refer you to advice services. This includes information on residence, family and health, as far as the support needs it.",  # noqa: E501
            "legal": "Legal basis: {legal}.",
            "recipients": "Other bodies receive your data only if you have agreed in writing (release from confidentiality) or if a law obliges us to pass it on.",  # noqa: E501
            "retention": "We delete your data {years} years after the end of our support.",
            "rights": "You have the right to access your data, to rectification, erasure and restriction of processing, and to object. You can revoke a consent at any time for the future.",  # noqa: E501
            "complaint": "You can complain to the data protection supervisory authority: {authority}.",  # noqa: E501
            "voluntary": "Your information is voluntary. Without it, however, we can support you only in a limited way.",  # noqa: E501
        },
        SLIP: {
            "title": "Your appointment",
            "date": "Date",
            "time": "Time",
            "clock": "{time}",
            "place": "Place",
            "bring": "Please bring",
            "bring_items": "ID card or residence document, health insurance card, this slip and all letters about this appointment",  # noqa: E501
            "along": "Coming with you",
            "nobody": "Nobody from us will come along. Please go there yourself.",
            "role_staff": "refugee support staff member",
            "role_volunteer": "volunteer",
            "role_interpreter": "interpreter",
            "role_family": "family",
            "contact": "If you cannot come or have questions, please contact us:",
            "weekdays": "Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday",
        },
    },
    "ar": {
        COMMON: {
            "notice": "هذه الترجمة للمساعدة على الفهم فقط. لم يراجعها بعد مترجم مؤهل. النص الألماني هو النص الملزم.",  # noqa: E501
        },
        CONSENT: {
            "title": "الإعفاء من واجب السرية",
            "intro": "أسمح لـ {organisation} بنقل المعلومات المؤشر عليها أدناه عني إلى الجهات المذكورة والتحدث معها بشأنها. ولهذا أعفي {organisation} من واجب السرية.",  # noqa: E501
            "person": "الشخص",
            "recipients": "إلى هذه الجهات",
            "purpose": "الغرض",
            "data": "هذه المعلومات",
            "data_name": "الاسم وتاريخ الميلاد",
            "data_contact": "العنوان والهاتف والبريد الإلكتروني",
            "data_language": "اللغات والحاجة إلى مترجم",
            "data_reason": "سبب الإحالة",
            "valid_until": "صالح حتى {date}.",
            "valid_open": "صالح إلى أن أسحبه.",
            "revocation": "هذا الإعفاء طوعي. يمكنك سحبه كليًا أو جزئيًا في أي وقت ودون ذكر الأسباب، شفهيًا أو كتابيًا لدى {organisation}. يسري السحب على المستقبل. إذا لم توقّع أو سحبت الإعفاء فسنواصل مرافقتك رغم ذلك.",  # noqa: E501
            "sign_client": "التاريخ، توقيع الشخص",
            "sign_staff": "التاريخ، توقيع الموظف/الموظفة",
        },
        INFO_SHEET: {
            "title": "معلومات حول حماية البيانات",
            "basis": "تحصل على هذه المعلومات وفقًا لـ {law}.",
            "controller": "الجهة المسؤولة عن بياناتك هي {organisation}.",
            "dpo": "للتواصل مع مسؤول حماية البيانات لدينا:",
            "purpose": "نعالج بياناتك لتقديم المشورة لك ومرافقتك: أثناء الزيارات، وفي المواعيد لدى الدوائر الرسمية والأطباء، وعند إحالتك إلى مراكز الاستشارة. ويشمل ذلك معلومات عن الإقامة والأسرة والصحة بالقدر الذي تحتاجه المرافقة.",  # noqa: E501
            "legal": "الأساس القانوني: {legal}.",
            "recipients": "لا تحصل جهات أخرى على بياناتك إلا إذا وافقت كتابيًا (الإعفاء من واجب السرية) أو إذا ألزمنا القانون بذلك.",  # noqa: E501
            "retention": "نحذف بياناتك بعد {years} سنوات من انتهاء المرافقة.",
            "rights": "لك الحق في الاطلاع على بياناتك وتصحيحها وحذفها وتقييد معالجتها والاعتراض عليها. ويمكنك سحب موافقتك في أي وقت بالنسبة للمستقبل.",  # noqa: E501
            "complaint": "يمكنك تقديم شكوى لدى هيئة الرقابة على حماية البيانات: {authority}.",
            "voluntary": "تقديم معلوماتك طوعي. لكن بدونها لا نستطيع مرافقتك إلا بشكل محدود.",
        },
        SLIP: {
            "title": "موعدك",
            "date": "التاريخ",
            "time": "الساعة",
            "clock": "{time}",
            "place": "المكان",
            "bring": "يرجى إحضار",
            "bring_items": "بطاقة الهوية أو وثيقة الإقامة، بطاقة التأمين الصحي، هذه الورقة وجميع الرسائل المتعلقة بهذا الموعد",  # noqa: E501
            "along": "يرافقك",
            "nobody": "لن يرافقك أحد منا. يرجى الذهاب بنفسك.",
            "role_staff": "موظف/موظفة مرافقة اللاجئين",
            "role_volunteer": "مرافق/مرافقة متطوع",
            "role_interpreter": "مترجم/مترجمة",
            "role_family": "العائلة",
            "contact": "إذا لم تستطع الحضور أو كانت لديك أسئلة، يرجى التواصل معنا:",
            "weekdays": "الاثنين، الثلاثاء، الأربعاء، الخميس، الجمعة، السبت، الأحد",
        },
    },
    "fa": {
        COMMON: {
            "notice": "این ترجمه فقط برای فهم بهتر است. هنوز یک مترجم واجد شرایط آن را بررسی نکرده است. متن آلمانی معتبر است.",  # noqa: E501
        },
        CONSENT: {
            "title": "رفع تعهد رازداری",
            "intro": "به {organisation} اجازه می‌دهم اطلاعات علامت‌خورده زیر را دربارهٔ من به مراکز نام‌برده بدهد و با آنها دربارهٔ آن صحبت کند. برای این کار {organisation} را از تعهد رازداری معاف می‌کنم.",  # noqa: E501
            "person": "شخص",
            "recipients": "به این مراکز",
            "purpose": "هدف",
            "data": "این اطلاعات",
            "data_name": "نام و تاریخ تولد",
            "data_contact": "نشانی، تلفن و ایمیل",
            "data_language": "زبان‌ها و نیاز به مترجم",
            "data_reason": "دلیل ارجاع",
            "valid_until": "معتبر تا {date}.",
            "valid_open": "معتبر تا زمانی که آن را لغو کنم.",
            "revocation": "این اجازه داوطلبانه است. می‌توانید آن را هر زمان و بدون ذکر دلیل، کامل یا بخشی از آن را، شفاهی یا کتبی نزد {organisation} لغو کنید. لغو برای آینده اعتبار دارد. اگر امضا نکنید یا آن را لغو کنید، باز هم به همراهی شما ادامه می‌دهیم.",  # noqa: E501
            "sign_client": "تاریخ، امضای شخص",
            "sign_staff": "تاریخ، امضای کارمند",
        },
        INFO_SHEET: {
            "title": "اطلاعات دربارهٔ حفاظت از داده‌ها",
            "basis": "این اطلاعات را بر اساس {law} دریافت می‌کنید.",
            "controller": "مسئول داده‌های شما {organisation} است.",
            "dpo": "راه تماس با مسئول حفاظت از داده‌های ما:",
            "purpose": "ما داده‌های شما را پردازش می‌کنیم تا به شما مشاوره بدهیم و همراهی‌تان کنیم: در دیدارها، در قرارها با ادارات و پزشکان و هنگام ارجاع به مراکز مشاوره. این شامل اطلاعاتی دربارهٔ اقامت، خانواده و سلامت است، تا جایی که همراهی به آن نیاز دارد.",  # noqa: E501
            "legal": "مبنای قانونی: {legal}.",
            "recipients": "مراکز دیگر فقط زمانی داده‌های شما را دریافت می‌کنند که شما کتبی موافقت کرده باشید (رفع تعهد رازداری) یا قانون ما را به آن ملزم کند.",  # noqa: E501
            "retention": "ما داده‌های شما را {years} سال پس از پایان همراهی پاک می‌کنیم.",
            "rights": "شما حق دارید از داده‌های خود آگاه شوید، آنها را اصلاح، پاک یا پردازش آنها را محدود کنید و به آن اعتراض کنید. رضایت خود را می‌توانید هر زمان برای آینده لغو کنید.",  # noqa: E501
            "complaint": "می‌توانید به نهاد نظارت بر حفاظت از داده‌ها شکایت کنید: {authority}.",
            "voluntary": "دادن اطلاعات داوطلبانه است. اما بدون آن فقط به‌طور محدود می‌توانیم همراهی‌تان کنیم.",  # noqa: E501
        },
        SLIP: {
            "title": "قرار ملاقات شما",
            "date": "تاریخ",
            "time": "ساعت",
            "clock": "{time}",
            "place": "مکان",
            "bring": "لطفاً همراه بیاورید",
            "bring_items": "کارت شناسایی یا مدرک اقامت، کارت بیمهٔ درمانی، همین برگه و همهٔ نامه‌های مربوط به این قرار",  # noqa: E501
            "along": "همراه شما می‌آید",
            "nobody": "کسی از ما همراه شما نمی‌آید. لطفاً خودتان بروید.",
            "role_staff": "کارمند همراهی پناهجویان",
            "role_volunteer": "همراه داوطلب",
            "role_interpreter": "مترجم",
            "role_family": "خانواده",
            "contact": "اگر نمی‌توانید بیایید یا سؤالی دارید، لطفاً با ما تماس بگیرید:",
            "weekdays": "دوشنبه، سه‌شنبه، چهارشنبه، پنجشنبه، جمعه، شنبه، یکشنبه",
        },
    },
    "ps": {
        COMMON: {
            "notice": "دا ژباړه یوازې د ښه پوهېدو لپاره ده. تر اوسه یوه وړ ژباړونکي نه ده کتلې. الماني متن معتبر دی.",  # noqa: E501
        },
        CONSENT: {
            "title": "د رازساتنې له مکلفیت څخه معافیت",
            "intro": "زه {organisation} ته اجازه ورکوم چې زما په اړه لاندې نښه شوي معلومات يادو ادارو ته ورکړي او له هغوی سره پرې خبرې وکړي. د دې لپاره {organisation} د رازساتنې له مکلفیت څخه معاف کوم.",  # noqa: E501
            "person": "شخص",
            "recipients": "دې ادارو ته",
            "purpose": "موخه",
            "data": "دا معلومات",
            "data_name": "نوم او د زیږېدو نېټه",
            "data_contact": "پته، تلیفون او برېښنالیک",
            "data_language": "ژبې او د ژباړونکي اړتیا",
            "data_reason": "د لېږلو لامل",
            "valid_until": "تر {date} پورې اعتبار لري.",
            "valid_open": "تر هغه چې بېرته یې واخلم اعتبار لري.",
            "revocation": "دا معافیت داوطلبانه دی. تاسو کولی شئ هر وخت پرته له دلیل، بشپړ یا یوه برخه یې، په خوله یا لیکلي ډول په {organisation} کې بېرته واخلئ. بېرته اخیستل د راتلونکي لپاره اعتبار لري. که لاسلیک ونه کړئ یا یې بېرته واخلئ، بیا هم به ستاسو ملګرتیا ته دوام ورکړو.",  # noqa: E501
            "sign_client": "نېټه، د شخص لاسلیک",
            "sign_staff": "نېټه، د کارکوونکي لاسلیک",
        },
        INFO_SHEET: {
            "title": "د معلوماتو د ساتنې په اړه معلومات",
            "basis": "دا معلومات تاسو ته د {law} له مخې درکول کېږي.",
            "controller": "ستاسو د معلوماتو مسؤول {organisation} دی.",
            "dpo": "زموږ د معلوماتو د ساتنې له مسؤول سره د اړیکې لاره:",
            "purpose": "موږ ستاسو معلومات کاروو ترڅو تاسو ته مشوره درکړو او ملګرتیا درسره وکړو: په لیدنو کې، له ادارو او ډاکټرانو سره په وختونو کې او مشورتي مرکزونو ته د لېږلو پر مهال. په دې کې د اوسېدو، کورنۍ او روغتیا معلومات هم شامل دي، تر هغه حده چې ملګرتیا ورته اړتیا لري.",  # noqa: E501
            "legal": "قانوني بنسټ: {legal}.",
            "recipients": "نورې ادارې ستاسو معلومات یوازې هغه وخت ترلاسه کوي چې تاسو لیکلې موافقه کړې وي (د رازساتنې معافیت) یا قانون موږ مکلف کړي.",  # noqa: E501
            "retention": "موږ ستاسو معلومات د ملګرتیا له پای ته رسېدو {years} کاله وروسته ړنګوو.",
            "rights": "تاسو حق لرئ چې د خپلو معلوماتو په اړه خبر شئ، هغه سم، ړنګ یا د هغو کارول محدود کړئ او اعتراض وکړئ. خپله موافقه هر وخت د راتلونکي لپاره بېرته اخیستلی شئ.",  # noqa: E501
            "complaint": "تاسو کولی شئ د معلوماتو د ساتنې څارونکې ادارې ته شکایت وکړئ: {authority}.",  # noqa: E501
            "voluntary": "ستاسو معلومات داوطلبانه دي. خو له دوی پرته موږ یوازې په محدود ډول ملګرتیا کولی شو.",  # noqa: E501
        },
        SLIP: {
            "title": "ستاسو د ملاقات وخت",
            "date": "نېټه",
            "time": "ساعت",
            "clock": "{time}",
            "place": "ځای",
            "bring": "مهرباني وکړئ له ځانه سره راوړئ",
            "bring_items": "پېژندپاڼه یا د اوسېدو سند، د روغتیا بیمې کارت، دا پاڼه او د دې ملاقات په اړه ټول لیکونه",  # noqa: E501
            "along": "له تاسو سره ځي",
            "nobody": "زموږ څخه هیڅوک له تاسو سره نه ځي. مهرباني وکړئ پخپله لاړ شئ.",
            "role_staff": "د کډوالو د ملګرتیا کارکوونکی",
            "role_volunteer": "رضاکار ملګری",
            "role_interpreter": "ژباړونکی",
            "role_family": "کورنۍ",
            "contact": "که نه شئ راتلای یا پوښتنې لرئ، مهرباني وکړئ له موږ سره اړیکه ونیسئ:",
            "weekdays": "دوشنبه، سه شنبه، چهارشنبه، پنجشنبه، جمعه، شنبه، یکشنبه",
        },
    },
    "uk": {
        COMMON: {
            "notice": "Цей переклад лише допомагає зрозуміти текст. Його ще не перевірив кваліфікований перекладач. Обов'язковим є німецький текст.",  # noqa: E501
        },
        CONSENT: {
            "title": "Звільнення від обов'язку конфіденційності",
            "intro": "Я дозволяю {organisation} передавати позначені нижче відомості про мене названим установам і обговорювати їх з ними. Для цього я звільняю {organisation} від обов'язку конфіденційності.",  # noqa: E501
            "person": "Особа",
            "recipients": "Цим установам",
            "purpose": "Мета",
            "data": "Ці відомості",
            "data_name": "Ім'я та дата народження",
            "data_contact": "Адреса, телефон і e-mail",
            "data_language": "Мови та потреба в перекладачеві",
            "data_reason": "Причина направлення",
            "valid_until": "Дійсне до {date}.",
            "valid_open": "Дійсне, доки я його не відкличу.",
            "revocation": "Це звільнення добровільне. Ви можете будь-коли без пояснення причин відкликати його повністю або частково, усно чи письмово в {organisation}. Відкликання діє на майбутнє. Якщо ви не підпишете або відкличете його, ми все одно будемо й далі вас супроводжувати.",  # noqa: E501
            "sign_client": "Дата, підпис особи",
            "sign_staff": "Дата, підпис працівника/працівниці",
        },
        INFO_SHEET: {
            "title": "Інформація про захист даних",
            "basis": "Ви отримуєте цю інформацію відповідно до {law}.",
            "controller": "Відповідальна за ваші дані організація: {organisation}.",
            "dpo": "Як зв'язатися з нашим уповноваженим із захисту даних:",
            "purpose": "Ми обробляємо ваші дані, щоб консультувати та супроводжувати вас: під час візитів, на прийомах в установах і в лікарів, а також під час направлення до консультаційних служб. Сюди належать і відомості про перебування, сім'ю та здоров'я, наскільки вони потрібні для супроводу.",  # noqa: E501
            "legal": "Правова підстава: {legal}.",
            "recipients": "Інші установи отримують ваші дані лише тоді, коли ви письмово погодилися (звільнення від конфіденційності) або коли цього вимагає закон.",  # noqa: E501
            "retention": "Ми видаляємо ваші дані через {years} роки(-ів) після завершення супроводу.",  # noqa: E501
            "rights": "Ви маєте право на доступ до своїх даних, на їх виправлення, видалення та обмеження обробки, а також право на заперечення. Згоду можна будь-коли відкликати на майбутнє.",  # noqa: E501
            "complaint": "Ви можете подати скаргу до наглядового органу з захисту даних: {authority}.",  # noqa: E501
            "voluntary": "Надання відомостей добровільне. Але без них ми можемо супроводжувати вас лише обмежено.",  # noqa: E501
        },
        SLIP: {
            "title": "Ваш прийом",
            "date": "Дата",
            "time": "Час",
            "clock": "{time}",
            "place": "Місце",
            "bring": "Будь ласка, візьміть із собою",
            "bring_items": "посвідчення особи або документ на перебування, картку медичного страхування, цей листок і всі листи щодо цього прийому",  # noqa: E501
            "along": "З вами піде",
            "nobody": "Ніхто з нас не піде з вами. Будь ласка, ідіть самостійно.",
            "role_staff": "працівник/працівниця супроводу біженців",
            "role_volunteer": "волонтерський супровід",
            "role_interpreter": "перекладач",
            "role_family": "сім'я",
            "contact": "Якщо ви не можете прийти або маєте запитання, зверніться до нас:",
            "weekdays": "понеділок, вівторок, середа, четвер, п'ятниця, субота, неділя",
        },
    },
    "ru": {
        COMMON: {
            "notice": "Этот перевод только помогает понять текст. Его ещё не проверил квалифицированный переводчик. Обязательным является немецкий текст.",  # noqa: E501
        },
        CONSENT: {
            "title": "Освобождение от обязанности соблюдать конфиденциальность",
            "intro": "Я разрешаю {organisation} передавать отмеченные ниже сведения обо мне названным учреждениям и обсуждать их с ними. Для этого я освобождаю {organisation} от обязанности соблюдать конфиденциальность.",  # noqa: E501
            "person": "Лицо",
            "recipients": "Этим учреждениям",
            "purpose": "Цель",
            "data": "Эти сведения",
            "data_name": "Имя и дата рождения",
            "data_contact": "Адрес, телефон и e-mail",
            "data_language": "Языки и потребность в переводчике",
            "data_reason": "Причина направления",
            "valid_until": "Действительно до {date}.",
            "valid_open": "Действительно, пока я его не отзову.",
            "revocation": "Это освобождение добровольное. Вы можете в любое время без объяснения причин отозвать его полностью или частично, устно или письменно в {organisation}. Отзыв действует на будущее. Если вы не подпишете или отзовёте его, мы всё равно продолжим вас сопровождать.",  # noqa: E501
            "sign_client": "Дата, подпись лица",
            "sign_staff": "Дата, подпись сотрудника/сотрудницы",
        },
        INFO_SHEET: {
            "title": "Информация о защите данных",
            "basis": "Вы получаете эту информацию в соответствии с {law}.",
            "controller": "Ответственная за ваши данные организация: {organisation}.",
            "dpo": "Как связаться с нашим уполномоченным по защите данных:",
            "purpose": "Мы обрабатываем ваши данные, чтобы консультировать и сопровождать вас: во время визитов, на приёмах в учреждениях и у врачей, а также при направлении в консультационные службы. Сюда относятся и сведения о пребывании, семье и здоровье, насколько они нужны для сопровождения.",  # noqa: E501
            "legal": "Правовое основание: {legal}.",
            "recipients": "Другие учреждения получают ваши данные только если вы письменно согласились (освобождение от конфиденциальности) или если этого требует закон.",  # noqa: E501
            "retention": "Мы удаляем ваши данные через {years} года (лет) после окончания сопровождения.",  # noqa: E501
            "rights": "Вы имеете право на доступ к своим данным, их исправление, удаление и ограничение обработки, а также право на возражение. Согласие можно в любое время отозвать на будущее.",  # noqa: E501
            "complaint": "Вы можете подать жалобу в надзорный орган по защите данных: {authority}.",  # noqa: E501
            "voluntary": "Предоставление сведений добровольно. Но без них мы можем сопровождать вас лишь ограниченно.",  # noqa: E501
        },
        SLIP: {
            "title": "Ваш приём",
            "date": "Дата",
            "time": "Время",
            "clock": "{time}",
            "place": "Место",
            "bring": "Пожалуйста, возьмите с собой",
            "bring_items": "удостоверение личности или документ на пребывание, карту медицинского страхования, этот листок и все письма об этом приёме",  # noqa: E501
            "along": "С вами пойдёт",
            "nobody": "Никто из нас не пойдёт с вами. Пожалуйста, идите сами.",
            "role_staff": "сотрудник/сотрудница сопровождения беженцев",
            "role_volunteer": "волонтёр",
            "role_interpreter": "переводчик",
            "role_family": "семья",
            "contact": "Если вы не можете прийти или у вас есть вопросы, свяжитесь с нами:",
            "weekdays": "понедельник, вторник, среда, четверг, пятница, суббота, воскресенье",
        },
    },
    "tr": {
        COMMON: {
            "notice": "Bu çeviri yalnızca daha iyi anlamanıza yardımcı olmak içindir. Henüz yeminli veya uzman bir tercüman tarafından kontrol edilmedi. Bağlayıcı olan Almanca metindir.",  # noqa: E501
        },
        CONSENT: {
            "title": "Sır saklama yükümlülüğünden muafiyet",
            "intro": "{organisation} kurumunun aşağıda işaretlenen bilgilerimi adı geçen kurumlara iletmesine ve bu konuda onlarla görüşmesine izin veriyorum. Bunun için {organisation} kurumunu sır saklama yükümlülüğünden muaf tutuyorum.",  # noqa: E501
            "person": "Kişi",
            "recipients": "Bu kurumlara",
            "purpose": "Amaç",
            "data": "Bu bilgiler",
            "data_name": "Ad ve doğum tarihi",
            "data_contact": "Adres, telefon ve e-posta",
            "data_language": "Diller ve tercüman ihtiyacı",
            "data_reason": "Yönlendirme nedeni",
            "valid_until": "{date} tarihine kadar geçerlidir.",
            "valid_open": "Geri alana kadar geçerlidir.",
            "revocation": "Bu muafiyet gönüllüdür. İstediğiniz zaman, gerekçe göstermeden, tamamen veya kısmen, sözlü ya da yazılı olarak {organisation} kurumuna bildirerek geri alabilirsiniz. Geri alma gelecek için geçerlidir. İmzalamazsanız veya geri alırsanız size destek olmaya yine de devam ederiz.",  # noqa: E501
            "sign_client": "Tarih, kişinin imzası",
            "sign_staff": "Tarih, çalışanın imzası",
        },
        INFO_SHEET: {
            "title": "Veri koruma hakkında bilgi",
            "basis": "Bu bilgiyi {law} uyarınca alıyorsunuz.",
            "controller": "Verilerinizden sorumlu kurum: {organisation}.",
            "dpo": "Veri koruma görevlimize şöyle ulaşabilirsiniz:",
            "purpose": "Verilerinizi size danışmanlık yapmak ve eşlik etmek için işliyoruz: ziyaretlerde, resmi daireler ve doktorlardaki randevularda ve danışma merkezlerine yönlendirmede. Buna, eşlik için gerekli olduğu ölçüde oturum, aile ve sağlık bilgileri de dahildir.",  # noqa: E501
            "legal": "Hukuki dayanak: {legal}.",
            "recipients": "Diğer kurumlar verilerinizi yalnızca yazılı onay vermişseniz (sır saklama muafiyeti) veya bir yasa bizi zorunlu kılıyorsa alır.",  # noqa: E501
            "retention": "Verilerinizi desteğin sona ermesinden {years} yıl sonra sileriz.",
            "rights": "Verileriniz hakkında bilgi alma, düzeltme, silme, işlemeyi kısıtlama ve itiraz etme hakkına sahipsiniz. Verdiğiniz bir onayı istediğiniz zaman gelecek için geri alabilirsiniz.",  # noqa: E501
            "complaint": "Veri koruma denetim makamına şikâyette bulunabilirsiniz: {authority}.",
            "voluntary": "Bilgi vermeniz gönüllüdür. Ancak bu bilgiler olmadan size ancak sınırlı destek olabiliriz.",  # noqa: E501
        },
        SLIP: {
            "title": "Randevunuz",
            "date": "Tarih",
            "time": "Saat",
            "clock": "{time}",
            "place": "Yer",
            "bring": "Lütfen yanınızda getirin",
            "bring_items": "Kimlik veya oturum belgesi, sağlık sigortası kartı, bu kâğıt ve bu randevuyla ilgili tüm mektuplar",  # noqa: E501
            "along": "Sizinle gelecek",
            "nobody": "Bizden kimse sizinle gelmeyecek. Lütfen kendiniz gidin.",
            "role_staff": "mülteci danışmanlığı çalışanı",
            "role_volunteer": "gönüllü refakatçi",
            "role_interpreter": "tercüman",
            "role_family": "aile",
            "contact": "Gelemeyecekseniz veya sorularınız varsa lütfen bize ulaşın:",
            "weekdays": "Pazartesi, Salı, Çarşamba, Perşembe, Cuma, Cumartesi, Pazar",
        },
    },
    "kmr": {
        COMMON: {
            "notice": "Ev werger tenê ji bo baştir têgihiştinê ye. Hê wergêreke an wergêrekî pispor ew kontrol nekiriye. Nivîsa almanî ya bingehîn e.",  # noqa: E501
        },
        CONSENT: {
            "title": "Azadkirin ji erka veşartina razan",
            "intro": "Ez destûrê didim {organisation} ku agahiyên li jêr nîşankirî yên li ser min bide saziyên navborî û li ser wan bi wan re bipeyive. Ji bo vê yekê ez {organisation} ji erka veşartina razan azad dikim.",  # noqa: E501
            "person": "Kes",
            "recipients": "Ji van saziyan re",
            "purpose": "Armanc",
            "data": "Ev agahî",
            "data_name": "Nav û roja jidayikbûnê",
            "data_contact": "Navnîşan, telefon û e-name",
            "data_language": "Ziman û hewcedariya wergêr",
            "data_reason": "Sedema şandinê",
            "valid_until": "Heta {date} derbasdar e.",
            "valid_open": "Heta ku ez paşve bigirim derbasdar e.",
            "revocation": "Ev azadkirin bi dilxwazî ye. Hûn dikarin wê her dem bêyî sedem, bi tevahî an beşek jê, bi devkî an bi nivîskî li {organisation} paşve bigirin. Paşvegirtin ji bo pêşerojê derbasdar e. Heke hûn îmze nekin an paşve bigirin, em dîsa jî alîkariya we didomînin.",  # noqa: E501
            "sign_client": "Dîrok, îmzeya kesê",
            "sign_staff": "Dîrok, îmzeya karmendê/karmenda",
        },
        INFO_SHEET: {
            "title": "Agahî li ser parastina daneyan",
            "basis": "Hûn vê agahiyê li gorî {law} distînin.",
            "controller": "Berpirsiyarê daneyên we {organisation} e.",
            "dpo": "Hûn bi vî awayî xwe digihînin berpirsiyarê me yê parastina daneyan:",
            "purpose": "Em daneyên we bi kar tînin da ku şîretan bidin we û bi we re bin: di serdanan de, di randevûyên li daîreyan û li ba bijîşkan de û dema ku em we dişînin navendên şêwirmendiyê. Agahiyên li ser mayîn, malbat û tenduristiyê jî tê de ne, heta ku ji bo alîkariyê pêwîst be.",  # noqa: E501
            "legal": "Bingeha qanûnî: {legal}.",
            "recipients": "Saziyên din daneyên we tenê distînin heke we bi nivîskî erê kiribe (azadkirina ji veşartina razan) an qanûnek me mecbûr bike.",  # noqa: E501
            "retention": "Em daneyên we {years} sal piştî dawiya alîkariyê jê dibin.",
            "rights": "Mafê we heye ku hûn li ser daneyên xwe agahî bistînin, wan rast bikin, jê bibin, bikaranîna wan sînordar bikin û li dijî wê derkevin. Hûn dikarin erêkirinekê her dem ji bo pêşerojê paşve bigirin.",  # noqa: E501
            "complaint": "Hûn dikarin gilî bikin li ba desthilata çavdêriya parastina daneyan: {authority}.",  # noqa: E501
            "voluntary": "Dayîna agahiyan bi dilxwazî ye. Lê bêyî wan em tenê bi sînor dikarin alîkariya we bikin.",  # noqa: E501
        },
        SLIP: {
            "title": "Randevûya we",
            "date": "Dîrok",
            "time": "Dem",
            "clock": "{time}",
            "place": "Cih",
            "bring": "Ji kerema xwe bi xwe re bînin",
            "bring_items": "Nasname an belgeya mayînê, karta sîgorteya tenduristiyê, vê pelê û hemû nameyên li ser vê randevûyê",  # noqa: E501
            "along": "Bi we re tê",
            "nobody": "Ji me kes bi we re nayê. Ji kerema xwe bi xwe biçin.",
            "role_staff": "karmendê/karmenda alîkariya penaberan",
            "role_volunteer": "alîkarê dilxwaz",
            "role_interpreter": "wergêr",
            "role_family": "malbat",
            "contact": "Heke hûn nikarin werin an pirsên we hebin, ji kerema xwe bi me re têkilî daynin:",  # noqa: E501
            "weekdays": "Duşem, Sêşem, Çarşem, Pêncşem, În, Şemî, Yekşem",
        },
    },
    "ti": {
        COMMON: {
            "notice": "እዚ ትርጉም ንዝሓሸ ምርዳእ ጥራይ እዩ። ገና ብብቑዕ ተርጓሚ ኣይተመርመረን። እቲ ዝሰርሕ ናይ ጀርመን ጽሑፍ እዩ።",  # noqa: E501
        },
        CONSENT: {
            "title": "ካብ ግዴታ ምሕላው ምስጢር ምፍታሕ",
            "intro": "ንዓይ ዝምልከት ኣብ ታሕቲ ዝተመልከተ ሓበሬታ ንዝተጠቕሳ ትካላት ክህብን ምስአን ክዘራረበሉን ን{organisation} እፈቅድ። ስለዚ ን{organisation} ካብ ግዴታ ምሕላው ምስጢር እፈትሕ።",  # noqa: E501
            "person": "ሰብ",
            "recipients": "ናብዘን ትካላት",
            "purpose": "ዕላማ",
            "data": "እዚ ሓበሬታ",
            "data_name": "ስምን ዕለት ልደትን",
            "data_contact": "ኣድራሻ፡ ተሌፎንን ኢመይልን",
            "data_language": "ቋንቋታትን ድሌት ተርጓሚን",
            "data_reason": "ምኽንያት ምልኣኽ",
            "valid_until": "ክሳብ {date} ይሰርሕ።",
            "valid_open": "ክሳብ ዝስሕቦ ይሰርሕ።",
            "revocation": "እዚ ምፍታሕ ብፍቓድኩም እዩ። ኣብ ዝኾነ እዋን ብዘይ ምኽንያት ምሃብ፡ ምሉእ ወይ ክፋል፡ ብቓል ወይ ብጽሑፍ ኣብ {organisation} ክትስሕብዎ ትኽእሉ ኢኹም። እቲ ምስሓብ ንመጻኢ ይሰርሕ። እንተዘይፈረምኩም ወይ እንተ ሰሓብኩምዎ፡ ሕጂ’ውን ምሳኹም ምኻድና ክንቕጽል ኢና።",  # noqa: E501
            "sign_client": "ዕለት፡ ፌርማ ናይቲ ሰብ",
            "sign_staff": "ዕለት፡ ፌርማ ሰራሕተኛ",
        },
        INFO_SHEET: {
            "title": "ብዛዕባ ሓለዋ ሓበሬታ ሓበሬታ",
            "basis": "እዚ ሓበሬታ ብመሰረት {law} ይወሃበኩም።",
            "controller": "ንሓበሬታኹም ሓላፍነት ዘለዎ {organisation} እዩ።",
            "dpo": "ምስ ሓላፊ ሓለዋ ሓበሬታና ከምዚ ክትራኸቡ ትኽእሉ፦",
            "purpose": "ሓበሬታኹም ንምምኻርን ንምስናይን ንጥቀመሉ፦ ኣብ በጻሕታት፡ ኣብ ቆጸራታት ምስ ቤት ጽሕፈታትን ሓካይምን፡ ከምኡ’ውን ናብ ማእከላት ምኽሪ ክንሰደኩም ከለና። እዚ ድማ ብዛዕባ መንበሪ፡ ስድራቤትን ጥዕናን ዝምልከት ሓበሬታ የጠቓልል፡ ክሳብ እቲ ምስናይ ዘድልዮ።",  # noqa: E501
            "legal": "ሕጋዊ መሰረት፦ {legal}።",
            "recipients": "ካልኦት ትካላት ሓበሬታኹም ዝረኽቡ ብጽሑፍ እንተ ተሰማሚዕኩም (ካብ ምሕላው ምስጢር ምፍታሕ) ወይ ሕጊ እንተ ኣገዲዱና ጥራይ እዩ።",  # noqa: E501
            "retention": "ሓበሬታኹም ምስናይ ካብ ዝውዳእ {years} ዓመት ጸኒሑ ንድምስሶ።",
            "rights": "ብዛዕባ ሓበሬታኹም ክትፈልጡ፡ ከተእርሙ፡ ከተደምስሱ፡ ኣጠቓቕማኡ ክትድረቱን ክትቃወሙን መሰል ኣለኩም። ዝሃብኩምዎ ፍቓድ ኣብ ዝኾነ እዋን ንመጻኢ ክትስሕብዎ ትኽእሉ ኢኹም።",  # noqa: E501
            "complaint": "ናብ ተቖጻጻሪ ኣካል ሓለዋ ሓበሬታ ክትጠርዑ ትኽእሉ ኢኹም፦ {authority}።",
            "voluntary": "ሓበሬታ ምሃብ ብፍቓድኩም እዩ። ብዘይኡ ግን ብውሱን መንገዲ ጥራይ ክንሕግዘኩም ንኽእል።",  # noqa: E501
        },
        SLIP: {
            "title": "ቆጸራኹም",
            "date": "ዕለት",
            "time": "ሰዓት",
            "clock": "{time}",
            "place": "ቦታ",
            "bring": "በጃኹም ሒዝኩም ምጹ",
            "bring_items": "መንነት ወይ ሰነድ መንበሪ፡ ካርድ መድሕን ጥዕና፡ እዛ ወረቐት እዚኣን ብዛዕባ እዚ ቆጸራ ዝመጹ ኩሎም ደብዳበታትን",  # noqa: E501
            "along": "ምሳኹም ዝኸይድ",
            "nobody": "ካባና ምሳኹም ዝኸይድ የለን። በጃኹም ባዕልኹም ኪዱ።",
            "role_staff": "ሰራሕተኛ ምስናይ ስደተኛታት",
            "role_volunteer": "ወለንተኛ ሰናዪ",
            "role_interpreter": "ተርጓሚ",
            "role_family": "ስድራቤት",
            "contact": "ክትመጹ እንተዘይክኢልኩም ወይ ሕቶ እንተሃልዩኩም፡ በጃኹም ርኸቡና፦",
            "weekdays": "ሰኑይ፡ ሰሉስ፡ ረቡዕ፡ ሓሙስ፡ ዓርቢ፡ ቀዳም፡ ሰንበት",
        },
    },
    "fr": {
        COMMON: {
            "notice": "Cette traduction sert uniquement à mieux comprendre. Elle n'a pas encore été vérifiée par un traducteur qualifié. Seul le texte allemand fait foi.",  # noqa: E501
        },
        CONSENT: {
            "title": "Levée du secret professionnel",
            "intro": "J'autorise {organisation} à transmettre aux organismes nommés les informations me concernant cochées ci-dessous et à en parler avec eux. Pour cela, je délie {organisation} du secret professionnel.",  # noqa: E501
            "person": "Personne",
            "recipients": "À ces organismes",
            "purpose": "But",
            "data": "Ces informations",
            "data_name": "Nom et date de naissance",
            "data_contact": "Adresse, téléphone et e-mail",
            "data_language": "Langues et besoin d'un interprète",
            "data_reason": "Motif de l'orientation",
            "valid_until": "Valable jusqu'au {date}.",
            "valid_open": "Valable jusqu'à ce que je la révoque.",
            "revocation": "Cette levée est volontaire. Vous pouvez la révoquer à tout moment, entièrement ou en partie, sans donner de raison, oralement ou par écrit auprès de {organisation}. La révocation vaut pour l'avenir. Si vous ne signez pas ou si vous la révoquez, nous continuerons quand même à vous accompagner.",  # noqa: E501
            "sign_client": "Date, signature de la personne",
            "sign_staff": "Date, signature du/de la collaborateur·rice",
        },
        INFO_SHEET: {
            "title": "Information sur la protection des données",
            "basis": "Vous recevez cette information en application de {law}.",
            "controller": "Le responsable de vos données est {organisation}.",
            "dpo": "Pour joindre notre délégué·e à la protection des données :",
            "purpose": "Nous traitons vos données pour vous conseiller et vous accompagner : lors des visites, aux rendez-vous avec les administrations et les médecins, et quand nous vous orientons vers des services de conseil. Cela comprend aussi des informations sur le séjour, la famille et la santé, dans la mesure où l'accompagnement en a besoin.",  # noqa: E501
            "legal": "Base juridique : {legal}.",
            "recipients": "D'autres organismes ne reçoivent vos données que si vous l'avez accepté par écrit (levée du secret professionnel) ou si une loi nous y oblige.",  # noqa: E501
            "retention": "Nous effaçons vos données {years} ans après la fin de l'accompagnement.",
            "rights": "Vous avez le droit d'accéder à vos données, de les faire rectifier ou effacer, d'en limiter le traitement et de vous y opposer. Vous pouvez retirer un consentement à tout moment pour l'avenir.",  # noqa: E501
            "complaint": "Vous pouvez porter plainte auprès de l'autorité de contrôle de la protection des données : {authority}.",  # noqa: E501
            "voluntary": "Vos informations sont facultatives. Sans elles, nous ne pouvons toutefois vous accompagner que de façon limitée.",  # noqa: E501
        },
        SLIP: {
            "title": "Votre rendez-vous",
            "date": "Date",
            "time": "Heure",
            "clock": "{time}",
            "place": "Lieu",
            "bring": "Merci d'apporter",
            "bring_items": "pièce d'identité ou titre de séjour, carte d'assurance maladie, cette fiche et toutes les lettres concernant ce rendez-vous",  # noqa: E501
            "along": "Vous accompagne",
            "nobody": "Personne de chez nous ne vous accompagne. Merci de vous y rendre vous-même.",  # noqa: E501
            "role_staff": "collaborateur·rice de l'accompagnement des réfugiés",
            "role_volunteer": "bénévole",
            "role_interpreter": "interprète",
            "role_family": "famille",
            "contact": "Si vous ne pouvez pas venir ou avez des questions, contactez-nous :",
            "weekdays": "lundi, mardi, mercredi, jeudi, vendredi, samedi, dimanche",
        },
    },
}
# fmt: on

# The reminders by SMS and e-mail (referrals.reminders): the text a person agrees to
# (`consent`, recorded with the opt-in, and shown on the opt-in page in both languages), the
# messages, and the sentence on the information sheet (Art. 13) that says reminders come only
# if the person opts in. (Not on the release from confidentiality: it is about another
# consent, and its one sheet has no room left in Arabic script.) A message
# names the date, time, place (an address, never a service's name), the reference number and
# the carrier's phone — never the purpose, a health hint or a residence status.
# fmt: off
_REMINDER_TEXTS: dict[str, tuple[str, str, str, str, str, str]] = {
    # consent, accompaniment, appointment, document, stop, printouts' sentence
    "de": (
        "Ich möchte per SMS oder E-Mail in meiner Sprache an meine Termine erinnert werden: am Tag vorher und bevor ein Dokument abläuft. Die Nachricht nennt nur Datum, Uhrzeit, Ort, Aktenzeichen und die Telefonnummer von {organisation}. Ich kann das jederzeit beenden: mit der Antwort STOP oder bei {organisation}.",  # noqa: E501
        "Erinnerung: Morgen, {date}, um {time} Uhr begleiten wir Sie zu einem Termin. Ort: {place}. Az. {az}. Fragen: {phone}",  # noqa: E501
        "Erinnerung: Sie haben morgen, {date}, um {time} Uhr einen Termin. Ort: {place}. Az. {az}. Fragen: {phone}",  # noqa: E501
        "Erinnerung: Ein Dokument von Ihnen ist nur noch bis {date} gültig. Bitte melden Sie sich: {phone}. Az. {az}",  # noqa: E501
        "Keine Erinnerungen mehr: Antwort STOP",
        "Erinnerungen an Termine per SMS oder E-Mail gibt es nur, wenn Sie zustimmen.",
    ),
    "en": (
        "I would like to be reminded of my appointments by SMS or e-mail in my language: the day before, and before a document expires. The message only gives the date, time, place, file number and the phone number of {organisation}. I can stop this at any time: by replying STOP or by telling {organisation}.",  # noqa: E501
        "Reminder: tomorrow, {date}, at {time} we will accompany you to an appointment. Place: {place}. Ref. {az}. Questions: {phone}",  # noqa: E501
        "Reminder: you have an appointment tomorrow, {date}, at {time}. Place: {place}. Ref. {az}. Questions: {phone}",  # noqa: E501
        "Reminder: one of your documents is valid only until {date}. Please contact us: {phone}. Ref. {az}",  # noqa: E501
        "No more reminders: reply STOP",
        "Reminders of appointments by SMS or e-mail are sent only if you agree.",
    ),
    "ar": (
        "أرغب في تذكيري بمواعيدي عبر رسالة SMS أو بريد إلكتروني بلغتي: قبل الموعد بيوم، وقبل انتهاء صلاحية وثيقة. تذكر الرسالة فقط التاريخ والوقت والمكان ورقم الملف ورقم هاتف {organisation}. يمكنني إيقاف ذلك في أي وقت: بالرد بكلمة STOP أو بإبلاغ {organisation}.",  # noqa: E501
        "تذكير: غدًا، {date}، الساعة {time} سنرافقك إلى موعد. المكان: {place}. رقم الملف: {az}. للاستفسار: {phone}",  # noqa: E501
        "تذكير: لديك موعد غدًا، {date}، الساعة {time}. المكان: {place}. رقم الملف: {az}. للاستفسار: {phone}",  # noqa: E501
        "تذكير: إحدى وثائقك صالحة حتى {date} فقط. يرجى التواصل معنا: {phone}. رقم الملف: {az}",
        "لإيقاف التذكيرات: أرسل STOP",
        "نرسل تذكيرات المواعيد عبر SMS أو البريد الإلكتروني فقط بموافقتك.",
    ),
    "fa": (
        "می‌خواهم قرارهایم با پیامک یا ایمیل به زبان خودم یادآوری شود: یک روز قبل، و پیش از پایان اعتبار یک مدرک. پیام فقط تاریخ، ساعت، مکان، شماره پرونده و شماره تلفن {organisation} را می‌گوید. هر زمان می‌توانم آن را متوقف کنم: با پاسخ STOP یا با اطلاع به {organisation}.",  # noqa: E501
        "یادآوری: فردا، {date}، ساعت {time} شما را به یک قرار همراهی می‌کنیم. مکان: {place}. شماره پرونده: {az}. سؤال: {phone}",  # noqa: E501
        "یادآوری: فردا، {date}، ساعت {time} یک قرار دارید. مکان: {place}. شماره پرونده: {az}. سؤال: {phone}",  # noqa: E501
        "یادآوری: یکی از مدارک شما فقط تا {date} اعتبار دارد. لطفاً با ما تماس بگیرید: {phone}. شماره پرونده: {az}",  # noqa: E501
        "برای توقف یادآوری‌ها: STOP بفرستید",
        "یادآوری قرارها با پیامک یا ایمیل فقط با موافقت شما فرستاده می‌شود.",
    ),
    "ps": (
        "غواړم چې زما ملاقاتونه ما ته په خپله ژبه د SMS یا ایمیل له لارې را یاد کړل شي: یوه ورځ مخکې، او مخکې له دې چې د یو سند موده پای ته ورسیږي. پیغام یوازې نېټه، وخت، ځای، د دوسیې شمېره او د {organisation} د تلیفون شمېره وايي. زه کولای شم هر وخت دا ودروم: د STOP په ځواب یا {organisation} ته په ویلو.",  # noqa: E501
        "یادونه: سبا، {date}، په {time} بجو تاسو سره یوې ملاقات ته ځو. ځای: {place}. د دوسیې شمېره: {az}. پوښتنې: {phone}",  # noqa: E501
        "یادونه: سبا، {date}، په {time} بجو تاسو ملاقات لرئ. ځای: {place}. د دوسیې شمېره: {az}. پوښتنې: {phone}",  # noqa: E501
        "یادونه: ستاسو یو سند یوازې تر {date} پورې اعتبار لري. مهرباني وکړئ له موږ سره اړیکه ونیسئ: {phone}. د دوسیې شمېره: {az}",  # noqa: E501
        "د یادونو د درولو لپاره: STOP ولیږئ",
        "د ملاقاتونو یادونې د SMS یا ایمیل له لارې یوازې ستاسو په رضایت لیږل کیږي.",
    ),
    "uk": (
        "Я хочу отримувати нагадування про мої зустрічі через SMS або електронну пошту моєю мовою: за день до зустрічі та перед закінченням строку дії документа. Повідомлення містить лише дату, час, місце, номер справи та номер телефону {organisation}. Я можу відмовитися будь-коли: відповівши STOP або повідомивши {organisation}.",  # noqa: E501
        "Нагадування: завтра, {date}, о {time} ми супроводжуватимемо вас на зустріч. Місце: {place}. Номер справи: {az}. Питання: {phone}",  # noqa: E501
        "Нагадування: завтра, {date}, о {time} у вас зустріч. Місце: {place}. Номер справи: {az}. Питання: {phone}",  # noqa: E501
        "Нагадування: один із ваших документів дійсний лише до {date}. Будь ласка, зв'яжіться з нами: {phone}. Номер справи: {az}",  # noqa: E501
        "Щоб відмовитися від нагадувань, надішліть STOP",
        "Нагадування про зустрічі через SMS або e-mail надсилаємо лише за вашою згодою.",
    ),
    "ru": (
        "Я хочу получать напоминания о моих встречах по SMS или электронной почте на моём языке: за день до встречи и перед окончанием срока действия документа. В сообщении указаны только дата, время, место, номер дела и номер телефона {organisation}. Я могу отказаться в любое время: ответив STOP или сообщив {organisation}.",  # noqa: E501
        "Напоминание: завтра, {date}, в {time} мы сопроводим вас на встречу. Место: {place}. Номер дела: {az}. Вопросы: {phone}",  # noqa: E501
        "Напоминание: завтра, {date}, в {time} у вас встреча. Место: {place}. Номер дела: {az}. Вопросы: {phone}",  # noqa: E501
        "Напоминание: один из ваших документов действителен только до {date}. Пожалуйста, свяжитесь с нами: {phone}. Номер дела: {az}",  # noqa: E501
        "Чтобы отказаться от напоминаний, отправьте STOP",
        "Напоминания о встречах по SMS или e-mail отправляем только с вашего согласия.",
    ),
    "tr": (
        "Randevularımın bana kendi dilimde SMS veya e-posta ile hatırlatılmasını istiyorum: bir gün önce ve bir belgenin süresi dolmadan önce. Mesajda yalnızca tarih, saat, yer, dosya numarası ve {organisation} telefon numarası yer alır. Bunu istediğim zaman durdurabilirim: STOP yanıtı vererek veya {organisation} kurumuna bildirerek.",  # noqa: E501
        "Hatırlatma: yarın, {date}, saat {time} randevunuza size eşlik edeceğiz. Yer: {place}. Dosya no: {az}. Sorular: {phone}",  # noqa: E501
        "Hatırlatma: yarın, {date}, saat {time} randevunuz var. Yer: {place}. Dosya no: {az}. Sorular: {phone}",  # noqa: E501
        "Hatırlatma: belgelerinizden biri yalnızca {date} tarihine kadar geçerli. Lütfen bize ulaşın: {phone}. Dosya no: {az}",  # noqa: E501
        "Hatırlatmaları durdurmak için STOP yazın",
        "Randevu hatırlatmalarını SMS veya e-posta ile yalnızca onayınızla göndeririz.",
    ),
    "kmr": (
        "Ez dixwazim ku randevûyên min bi SMS an e-nameyê bi zimanê min werin bîra min: rojek berê, û berî ku dema belgeyekê biqede. Peyam tenê dîrok, dem, cih, hejmara dosyeyê û hejmara telefonê ya {organisation} dide. Ez dikarim her dem vê rawestînim: bi bersiva STOP an bi gotina {organisation}.",  # noqa: E501
        "Bîranîn: sibê, {date}, saet {time} em ê bi we re biçin randevûyekê. Cih: {place}. Hejmara dosyeyê: {az}. Pirs: {phone}",  # noqa: E501
        "Bîranîn: sibê, {date}, saet {time} randevûya we heye. Cih: {place}. Hejmara dosyeyê: {az}. Pirs: {phone}",  # noqa: E501
        "Bîranîn: belgeyeke we tenê heta {date} derbasdar e. Ji kerema xwe bi me re têkilî daynin: {phone}. Hejmara dosyeyê: {az}",  # noqa: E501
        "Ji bo rawestandina bîranînan: STOP bişînin",
        "Em bîranînên randevûyan bi SMS an e-nameyê tenê bi razîbûna we dişînin.",
    ),
    "ti": (
        "ቆጸራታተይ ብቋንቋይ ብኤስኤምኤስ ወይ ብኢመይል ክዝከረኒ እደሊ፡ ሓደ መዓልቲ ቅድሚኡ፡ ከምኡውን ግዜ ሰነድ ቅድሚ ምውዳኡ። እቲ መልእኽቲ ዕለት፡ ሰዓት፡ ቦታ፡ ቁጽሪ ፋይልን ቁጽሪ ቴሌፎን {organisation}ን ጥራይ ይሕብር። ኣብ ዝኾነ ግዜ ከቋርጾ ይኽእል እየ፡ STOP ብምምላስ ወይ ን{organisation} ብምሕባር።",  # noqa: E501
        "መዘኻኸሪ፡ ጽባሕ፡ {date}፡ ሰዓት {time} ናብ ቆጸራ ክንሰንየኩም ኢና። ቦታ፡ {place}። ቁጽሪ ፋይል፡ {az}። ሕቶ፡ {phone}",  # noqa: E501
        "መዘኻኸሪ፡ ጽባሕ፡ {date}፡ ሰዓት {time} ቆጸራ ኣለኩም። ቦታ፡ {place}። ቁጽሪ ፋይል፡ {az}። ሕቶ፡ {phone}",  # noqa: E501
        "መዘኻኸሪ፡ ሓደ ካብ ሰነዳትኩም ክሳብ {date} ጥራይ እዩ ዝሰርሕ። በጃኹም ተወከሱና፡ {phone}። ቁጽሪ ፋይል፡ {az}",  # noqa: E501
        "መዘኻኸሪ ንምቁራጽ፡ STOP ስደዱ",
        "መዘኻኸሪ ቆጸራ ብኤስኤምኤስ ወይ ብኢመይል ብፍቓድኩም ጥራይ ንሰድድ።",
    ),
    "fr": (
        "Je souhaite recevoir des rappels de mes rendez-vous par SMS ou e-mail dans ma langue : la veille, et avant l'expiration d'un document. Le message indique seulement la date, l'heure, le lieu, le numéro de dossier et le numéro de téléphone de {organisation}. Je peux arrêter à tout moment : en répondant STOP ou en le disant à {organisation}.",  # noqa: E501
        "Rappel : demain, {date}, à {time}, nous vous accompagnons à un rendez-vous. Lieu : {place}. Dossier : {az}. Questions : {phone}",  # noqa: E501
        "Rappel : vous avez un rendez-vous demain, {date}, à {time}. Lieu : {place}. Dossier : {az}. Questions : {phone}",  # noqa: E501
        "Rappel : un de vos documents n'est valable que jusqu'au {date}. Merci de nous contacter : {phone}. Dossier : {az}",  # noqa: E501
        "Plus de rappels : répondez STOP",
        "Les rappels de rendez-vous par SMS ou e-mail ne sont envoyés qu'avec votre accord.",
    ),
}
# fmt: on
for _language, (
    _consent,
    _accompaniment,
    _appointment,
    _document,
    _stop,
    _sentence,
) in _REMINDER_TEXTS.items():
    DEFAULTS[_language][REMINDER] = {
        "consent": _consent,
        "accompaniment": _accompaniment,
        "appointment": _appointment,
        "document": _document,
        "stop": _stop,
    }
    DEFAULTS[_language][INFO_SHEET]["reminders"] = _sentence

# An e-mail cannot be answered with STOP (no mail comes back in): it says whom to call.
# fmt: off
_STOP_BY_MAIL: dict[str, str] = {
    "de": "Keine Erinnerungen mehr? Rufen Sie uns an: {phone}",
    "en": "No more reminders? Call us: {phone}",
    "ar": "لا تريد المزيد من التذكيرات؟ اتصل بنا: {phone}",
    "fa": "دیگر یادآوری نمی‌خواهید؟ با ما تماس بگیرید: {phone}",
    "ps": "نورې یادونې نه غواړئ؟ موږ ته زنګ ووهئ: {phone}",
    "uk": "Більше не бажаєте нагадувань? Зателефонуйте нам: {phone}",
    "ru": "Больше не хотите напоминаний? Позвоните нам: {phone}",
    "tr": "Artık hatırlatma istemiyor musunuz? Bizi arayın: {phone}",
    "kmr": "Êdî bîranîn naxwazin? Telefonî me bikin: {phone}",
    "ti": "ተወሳኺ መዘኻኸሪ ኣይትደልዩን? ደውሉልና፦ {phone}",
    "fr": "Vous ne souhaitez plus de rappels ? Appelez-nous : {phone}",
}
# fmt: on
for _language, _text in _STOP_BY_MAIL.items():
    DEFAULTS[_language][REMINDER]["stop_mail"] = _text

PRINTOUTS = (CONSENT, INFO_SHEET, SLIP, REMINDER, COMMON)


# What each text is, in words, for the administrator's editor (/manage/texts/): a key such as
# `data_name` means nothing to the one who edits the texts. Every key of DEFAULTS has one
# (tests/referrals/test_printouts_texts_labels.py).
KEY_LABELS: dict[str, str | Promise] = {
    "notice": _("Note that the translation is not reviewed"),
    "title": _("Heading of the printout"),
    "intro": _("Opening paragraph"),
    "person": _("Label: person"),
    "recipients": _("Who receives the data"),
    "purpose": _("Purpose"),
    "data": _("Heading of the data passed on"),
    "data_name": _("Data item: name and date of birth"),
    "data_contact": _("Data item: address, phone and e-mail"),
    "data_language": _("Data item: languages and interpreting"),
    "data_reason": _("Data item: reason for the referral"),
    "valid_until": _("Validity with an end date"),
    "valid_open": _("Validity until revoked"),
    "revocation": _("Voluntariness and revocation"),
    "sign_client": _("Signature line of the person"),
    "sign_staff": _("Signature line of the staff member"),
    "basis": _("Law the information is given under"),
    "controller": _("Who is responsible (controller)"),
    "dpo": _("How to reach the data protection officer"),
    "legal": _("Legal basis of the processing"),
    "retention": _("How long the data is kept"),
    "rights": _("Rights of the person"),
    "complaint": _("Complaint to the supervisory authority"),
    "voluntary": _("Whether the information is voluntary"),
    "date": _("Label: date"),
    "time": _("Label: time"),
    "clock": _("Time of day"),
    "place": _("Label: place"),
    "bring": _("Heading: what to bring"),
    "bring_items": _("What to bring"),
    "along": _("Label: who comes along"),
    "nobody": _("Nobody of us comes along"),
    "role_staff": _("Role: staff member"),
    "role_volunteer": _("Role: volunteer"),
    "role_interpreter": _("Role: interpreter"),
    "role_family": _("Role: family"),
    "contact": _("Whom to contact"),
    "weekdays": _("Names of the weekdays (Monday to Sunday, separated by commas)"),
    "reminders": _("Reminders by SMS or e-mail only on request"),
    "consent": _("Reminders: the text the person agrees to"),
    "accompaniment": _("Reminder of an accompaniment (the day before)"),
    "appointment": _("Reminder of an appointment (the day before)"),
    "document": _("Reminder of a document that expires"),
    "stop": _("Reminder by SMS: how to stop them"),
    "stop_mail": _("Reminder by e-mail: how to stop them"),
}


def key_label(key: str) -> str:
    """A text's name in words (the key itself for one without, never an empty label)."""
    return str(KEY_LABELS.get(key, key))


def allowed_placeholders(printout: str, key: str) -> frozenset[str]:
    """The placeholders a text may use: those of its German default."""
    return frozenset(placeholders_in(DEFAULTS["de"][printout][key]))


def guess_language(codes: Iterable[str]) -> str:
    """The printout language of the first of a client's languages (codes) that one serves
    (LANGUAGE_SERVES), else "" (German only)."""
    for code in codes or ():
        for printout_language, served in LANGUAGE_SERVES.items():
            if code in served:
                return printout_language
    return ""


@dataclass
class Texts:
    """One printout's texts: German, and the client's language where there is one."""

    language: str  # "" when German only
    german: dict[str, str]
    client: dict[str, str]
    reviewed: bool  # every client-language text confirmed by a qualified translator
    notice_de: str
    notice_client: str

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    def pair(self, key: str) -> tuple[str, str]:
        return self.german[key], self.client.get(key, "")
