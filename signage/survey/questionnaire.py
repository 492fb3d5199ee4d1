"""The regulation's questionnaire (PermenPANRB 14/2017, annex: contoh kuesioner): nine elements,
each a question with four answers scored 1–4, and the respondent's profile. Plain data; a
manager's edits of the wording are kept in the store and laid over these defaults."""
from __future__ import annotations

from .ikm import ELEMENTS

# element: (U-number, short label id, short label en, question id, question en, answers id, answers en)
DEFAULTS: dict[str, dict] = {
    "persyaratan": {
        "u": "U1", "label": ("Persyaratan", "Requirements"),
        "question": ("Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
                     "How well do the requirements fit the service you asked for?"),
        "answers": (["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
                    ["Not fitting", "Hardly fitting", "Fitting", "Very fitting"])},
    "prosedur": {
        "u": "U2", "label": ("Sistem, mekanisme dan prosedur", "System, mechanism and procedure"),
        "question": ("Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
                     "How easy was the procedure of this service?"),
        "answers": (["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
                    ["Not easy", "Hardly easy", "Easy", "Very easy"])},
    "waktu": {
        "u": "U3", "label": ("Waktu penyelesaian", "Completion time"),
        "question": ("Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
                     "How fast were you served?"),
        "answers": (["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
                    ["Not fast", "Hardly fast", "Fast", "Very fast"])},
    "biaya": {
        "u": "U4", "label": ("Biaya/tarif", "Cost/fee"),
        "question": ("Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
                     "How fair was the cost or fee of the service?"),
        "answers": (["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
                    ["Very expensive", "Rather expensive", "Cheap", "Free"])},
    "produk": {
        "u": "U5", "label": ("Produk spesifikasi jenis pelayanan", "Service product"),
        "question": ("Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
                     "How well did what you received match the published service standard?"),
        "answers": (["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
                    ["Not matching", "Hardly matching", "Matching", "Fully matching"])},
    "kompetensi": {
        "u": "U6", "label": ("Kompetensi pelaksana", "Staff competence"),
        "question": ("Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
                     "How competent were the staff who served you?"),
        "answers": (["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"],
                    ["Not competent", "Hardly competent", "Competent", "Very competent"])},
    "perilaku": {
        "u": "U7", "label": ("Perilaku pelaksana", "Staff conduct"),
        "question": ("Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
                     "How polite and friendly were the staff?"),
        "answers": (["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"],
                    ["Not polite or friendly", "Hardly polite or friendly", "Polite and friendly", "Very polite and friendly"])},
    "pengaduan": {
        "u": "U8", "label": ("Penanganan pengaduan, saran dan masukan", "Complaints and suggestions handling"),
        "question": ("Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
                     "How are complaints and suggestions handled here?"),
        "answers": (["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"],
                    ["There is none", "There is one but it does not work", "Works, but not fully", "Well handled"])},
    "sarana": {
        "u": "U9", "label": ("Sarana dan prasarana", "Facilities"),
        "question": ("Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
                     "How good are the facilities?"),
        "answers": (["Buruk", "Cukup", "Baik", "Sangat baik"],
                    ["Bad", "Fair", "Good", "Very good"])},
}
assert tuple(DEFAULTS) == ELEMENTS

# The respondent's profile (all optional). Age in bands, not years: fewer answers single anyone out.
PROFILE: dict[str, dict[str, tuple[str, str]]] = {
    "gender": {"L": ("Laki-laki", "Male"), "P": ("Perempuan", "Female")},
    "age": {"<20": ("di bawah 20 tahun", "under 20"), "20-29": ("20–29 tahun", "20–29"),
            "30-39": ("30–39 tahun", "30–39"), "40-49": ("40–49 tahun", "40–49"),
            "50-59": ("50–59 tahun", "50–59"), "60+": ("60 tahun ke atas", "60 and over")},
    "education": {"sd": ("SD ke bawah", "Primary or less"), "smp": ("SMP", "Junior high"),
                  "sma": ("SMA", "Senior high"), "diploma": ("D1/D2/D3/D4", "Diploma"),
                  "s1": ("S1", "Bachelor"), "s2": ("S2 ke atas", "Master or higher")},
    "occupation": {"pns": ("PNS", "Civil servant"), "tni": ("TNI", "Military"), "polri": ("POLRI", "Police"),
                   "swasta": ("Pegawai swasta", "Private employee"), "wirausaha": ("Wirausaha", "Self-employed"),
                   "pelajar": ("Pelajar/mahasiswa", "Student"), "lainnya": ("Lainnya", "Other")},
}
PROFILE_FIELDS = {"gender": ("Jenis kelamin", "Gender"), "age": ("Usia", "Age"),
                  "education": ("Pendidikan", "Education"), "occupation": ("Pekerjaan", "Occupation")}


def element_view(code: str, stored: dict | None = None, lang: str = "id") -> dict:
    """One element as a page or the API shows it: the stored wording over the default."""
    base, stored = DEFAULTS[code], stored or {}
    i = 1 if lang == "en" else 0
    question = stored.get("question") or base["question"][0]
    answers = stored.get("answers") or base["answers"][0]
    if lang == "en":
        question = stored.get("question_en") or (base["question"][1] if not stored.get("question") else question)
        answers = stored.get("answers_en") or (base["answers"][1] if not stored.get("answers") else answers)
    return {"code": code, "u": base["u"], "label": base["label"][i], "question": question,
            "answers": list(answers)}
