"""Interface words, Indonesian first, English second. Pages pick with ?lang=en (kept in a cookie)."""

LANGUAGES = ("id", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "kiosk_title": ("Ambil Nomor Antrian", "Take a Queue Number"),
    "kiosk_pick": ("Silakan pilih layanan", "Please choose a service"),
    "priority": ("Prioritas (lansia, disabilitas, ibu hamil)", "Priority (elderly, disabled, pregnant)"),
    "your_number": ("Nomor antrian Anda", "Your queue number"),
    "waiting_ahead": ("Menunggu di depan Anda", "Waiting ahead of you"),
    "people": ("orang", "people"),
    "print": ("Cetak", "Print"),
    "done": ("Selesai", "Done"),
    "closed": ("Tutup", "Closed"),
    "waiting": ("Menunggu", "Waiting"),
    "now_serving": ("Sedang Dilayani", "Now Serving"),
    "counter": ("Loket", "Counter"),
    "number": ("Nomor", "Number"),
    "last_calls": ("Panggilan Terakhir", "Last Calls"),
    "offline": ("Terputus — menyambung ulang…", "Offline — reconnecting…"),
    "call_next": ("Panggil Berikutnya", "Call Next"),
    "recall": ("Panggil Ulang", "Recall"),
    "skip": ("Lewati", "Skip"),
    "finish": ("Selesai", "Finish"),
    "transfer": ("Alihkan", "Transfer"),
    "pause": ("Istirahat", "Pause"),
    "resume": ("Lanjutkan", "Resume"),
    "current_ticket": ("Tiket saat ini", "Current ticket"),
    "history": ("Riwayat", "History"),
    "choose_counter": ("Pilih loket", "Choose a counter"),
    "login": ("Masuk", "Log in"),
    "logout": ("Keluar", "Log out"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "login_failed": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "no_counters": ("Akun Anda belum ditugaskan ke loket mana pun. Hubungi pengelola.",
                    "Your account has no counter assigned. Ask the hall manager."),
    "idle": ("Kosong", "Idle"),
    "serving": ("Melayani", "Serving"),
    "paused": ("Istirahat", "Paused"),
    "priority_short": ("Prioritas", "Priority"),
    "transfer_to": ("Alihkan ke layanan", "Transfer to service"),
    "cancel": ("Batal", "Cancel"),
    "shortcuts": ("Pintasan: Enter/N panggil, R ulang, S lewati, F selesai, T alihkan, P istirahat",
                  "Shortcuts: Enter/N call, R recall, S skip, F finish, T transfer, P pause"),
    "manager_title": ("Konsol Pengelola", "Manager Console"),
    "tap_for_sound": ("Ketuk untuk mengaktifkan suara", "Tap to enable sound"),
    "ticket_failed": ("Tiket tidak dapat diambil", "Could not take a ticket"),
    "issued_at": ("Diambil", "Issued"),
    "language": ("English", "Bahasa Indonesia"),
    "nobody_waiting": ("Tidak ada antrian", "Nobody waiting"),
}


def strings(lang: str) -> dict[str, str]:
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in STRINGS.items()}
