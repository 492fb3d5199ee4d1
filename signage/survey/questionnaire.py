"""The regulation's questionnaire (PermenPANRB 14/2017, annex: contoh kuesioner): nine elements,
each a question with four answers scored 1–4, and the respondent's profile. Plain data; a
manager's edits of the wording are kept in the store and laid over these defaults."""
from __future__ import annotations

from ..messages import Message, N_, in_language
from .ikm import ELEMENTS

# element: U-number, short label (a message: English from the catalog), question (id, en) and
# answers (id, en): the questionnaire's wording is data a manager edits, in both languages.
DEFAULTS: dict[str, dict] = {
    "persyaratan": {
        "u": "U1", "label": N_("Persyaratan"),
        "question": ("Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
                     "How well do the requirements fit the service you asked for?"),
        "answers": (["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
                    ["Not fitting", "Hardly fitting", "Fitting", "Very fitting"])},
    "prosedur": {
        "u": "U2", "label": N_("Sistem, mekanisme dan prosedur"),
        "question": ("Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
                     "How easy was the procedure of this service?"),
        "answers": (["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
                    ["Not easy", "Hardly easy", "Easy", "Very easy"])},
    "waktu": {
        "u": "U3", "label": N_("Waktu penyelesaian"),
        "question": ("Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
                     "How fast were you served?"),
        "answers": (["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
                    ["Not fast", "Hardly fast", "Fast", "Very fast"])},
    "biaya": {
        "u": "U4", "label": N_("Biaya/tarif"),
        "question": ("Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
                     "How fair was the cost or fee of the service?"),
        "answers": (["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
                    ["Very expensive", "Rather expensive", "Cheap", "Free"])},
    "produk": {
        "u": "U5", "label": N_("Produk spesifikasi jenis pelayanan"),
        "question": ("Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
                     "How well did what you received match the published service standard?"),
        "answers": (["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
                    ["Not matching", "Hardly matching", "Matching", "Fully matching"])},
    "kompetensi": {
        "u": "U6", "label": N_("Kompetensi pelaksana"),
        "question": ("Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
                     "How competent were the staff who served you?"),
        "answers": (["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"],
                    ["Not competent", "Hardly competent", "Competent", "Very competent"])},
    "perilaku": {
        "u": "U7", "label": N_("Perilaku pelaksana"),
        "question": ("Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
                     "How polite and friendly were the staff?"),
        "answers": (["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"],
                    ["Not polite or friendly", "Hardly polite or friendly", "Polite and friendly", "Very polite and friendly"])},
    "pengaduan": {
        "u": "U8", "label": N_("Penanganan pengaduan, saran dan masukan"),
        "question": ("Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
                     "How are complaints and suggestions handled here?"),
        "answers": (["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"],
                    ["There is none", "There is one but it does not work", "Works, but not fully", "Well handled"])},
    "sarana": {
        "u": "U9", "label": N_("Sarana dan prasarana"),
        "question": ("Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
                     "How good are the facilities?"),
        "answers": (["Buruk", "Cukup", "Baik", "Sangat baik"],
                    ["Bad", "Fair", "Good", "Very good"])},
}
assert tuple(DEFAULTS) == ELEMENTS

# The respondent's profile (all optional). Age in bands, not years: fewer answers single anyone out.
PROFILE: dict[str, dict[str, Message]] = {   # English from the catalog
    "gender": {"L": N_("Laki-laki"), "P": N_("Perempuan")},
    "age": {"<20": N_("di bawah 20 tahun"), "20-29": N_("20–29 tahun"),
            "30-39": N_("30–39 tahun"), "40-49": N_("40–49 tahun"),
            "50-59": N_("50–59 tahun"), "60+": N_("60 tahun ke atas")},
    "education": {"sd": N_("SD ke bawah"), "smp": N_("SMP"),
                  "sma": N_("SMA"), "diploma": N_("D1/D2/D3/D4"),
                  "s1": N_("S1"), "s2": N_("S2 ke atas")},
    "occupation": {"pns": N_("PNS"), "tni": N_("TNI"), "polri": N_("POLRI"),
                   "swasta": N_("Pegawai swasta"), "wirausaha": N_("Wirausaha"),
                   "pelajar": N_("Pelajar/mahasiswa"), "lainnya": N_("Lainnya")},
}
PROFILE_FIELDS = {"gender": N_("Jenis kelamin"), "age": N_("Usia"),
                  "education": N_("Pendidikan"), "occupation": N_("Pekerjaan")}


def element_view(code: str, stored: dict | None = None, lang: str = "id") -> dict:
    """One element as a page or the API shows it: the stored wording over the default."""
    base, stored = DEFAULTS[code], stored or {}
    question = stored.get("question") or base["question"][0]
    answers = stored.get("answers") or base["answers"][0]
    if lang == "en":
        question = stored.get("question_en") or (base["question"][1] if not stored.get("question") else question)
        answers = stored.get("answers_en") or (base["answers"][1] if not stored.get("answers") else answers)
    return {"code": code, "u": base["u"], "label": in_language(base["label"], lang), "question": question,
            "answers": list(answers)}
