"""Vietnamese text helpers: alphabetical sort keys and diacritic-free search keys."""

import unicodedata

# Vietnamese alphabet order (ă, â after a; đ after d; ê after e; ô, ơ after o; ư after u),
# with the Latin letters Vietnamese lacks placed where English would put them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}




def vi_sort_key(text: str) -> str:
    """A key of digits that sorts in Vietnamese alphabetical order under any collation.

    Digits only, because PostgreSQL's locale collations skip punctuation and fold case:
    two digits per letter (Vietnamese order first), then the tones as a tie-break.
    """
    primary: list[str] = []
    tones: list[str] = []
    decomposed = unicodedata.normalize("NFD", text.lower())
    for char in decomposed:
        if char in _TONES:
            if tones:
                tones[-1] = str(_TONES[char])
            continue
        if char in ("\u0306", "\u0302", "\u031b") and primary:
            base = _ALPHABET[int(primary[-1]) - 11] if primary[-1] >= "11" else ""
            marked = {
                ("a", "\u0306"): "ă",
                ("a", "\u0302"): "â",
                ("e", "\u0302"): "ê",
                ("o", "\u0302"): "ô",
                ("o", "\u031b"): "ơ",
                ("u", "\u031b"): "ư",
            }.get((base, char))
            if marked:
                primary[-1] = f"{_ALPHABET.index(marked) + 11:02d}"
            continue
        if unicodedata.combining(char):
            continue
        if char in _ALPHABET:
            primary.append(f"{_ALPHABET.index(char) + 11:02d}")
        elif char.isdigit():
            primary.append(f"{int(char) + 1:02d}")
        else:
            primary.append("00")
        tones.append("0")
    return "".join(primary) + "00" + "".join(tones)


def fold(text: str) -> str:
    """Lower case without diacritics, for search: 'Thanh Xuân' -> 'thanh xuan'."""
    text = text.lower().replace("đ", "d")
    stripped = "".join(
        char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char)
    )
    return " ".join(stripped.split())
