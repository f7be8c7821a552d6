#!/usr/bin/env python3
"""Derives resources/actors/countries.tsv from the mledoze/countries gazetteer (ODbL-1.0).

Usage: python3 derive_countries.py ../../../shared/data/gazetteers/mledoze_countries/countries.json > countries.tsv

Keeps only: English common and official name, Latin-script alternative spellings (without
two-letter codes), English demonyms, capitals, the alpha-3 code and whether the entity is a
state. See README.md for the attribution and licence note.
"""
import json
import sys
import unicodedata
from collections import defaultdict

# Entities that mledoze does not mark `independent` but that act as states in news text.
STATE_LIKE = {"Kosovo", "Taiwan", "Palestine", "Western Sahara", "Vatican City"}
# All-caps codes that are used as names in running text; every other code is dropped
# because codes like "GE" or "IN" collide with ordinary words and company names.
KEEP_CODES = {"USA", "UAE", "PRC", "ROK", "DPRK", "DRC"}


def latin(s):
    for ch in s:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def main(path):
    data = json.load(open(path, encoding="utf-8"))
    rows = []
    for c in data:
        common = c["name"]["common"]
        official = c["name"]["official"]
        is_state = bool(c.get("independent")) or common in STATE_LIKE
        alts = []
        for a in c.get("altSpellings", []):
            a = a.strip()
            if not a or not latin(a) or a in (common, official):
                continue
            if a.isupper() and a.replace(".", "").isalpha() and a not in KEEP_CODES:
                continue
            if "," in a or ";" in a or "\t" in a:
                continue
            alts.append(a)
        eng = c.get("demonyms", {}).get("eng", {})
        # Some entries list two demonyms in one field ("Bosnian, Herzegovinian").
        dems = sorted({x.strip() for d in (eng.get("m"), eng.get("f")) if d for x in d.split(",") if x.strip()})
        caps = [x for x in c.get("capital", []) if x and latin(x)]
        rows.append([common, "state" if is_state else "territory", official, alts, dems, caps, c.get("cca3", "")])

    # A demonym or capital shared by several entities is kept only for the one state among
    # them (e.g. "American" -> United States, not Northern Mariana Islands); when several
    # are states ("Congolese", "Dominican") it is dropped as ambiguous.
    for col in (4, 5):
        owners = defaultdict(list)
        for r in rows:
            for v in r[col]:
                owners[v].append(r)
        for v, rs in owners.items():
            if len(rs) < 2:
                continue
            states = [r for r in rs if r[1] == "state"]
            keep = states[0] if len(states) == 1 else None
            for r in rs:
                if r is not keep:
                    r[col] = [x for x in r[col] if x != v]

    print("# Derived from mledoze/countries (ODbL-1.0) by derive_countries.py; see README.md.")
    print("# name\ttype\tofficial\talt_names\tdemonyms\tcapitals\tcca3")
    for r in sorted(rows, key=lambda r: r[0]):
        print("\t".join([r[0], r[1], r[2], ";".join(r[3]), ";".join(r[4]), ";".join(r[5]), r[6]]))


if __name__ == "__main__":
    main(sys.argv[1])
