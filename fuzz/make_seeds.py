#!/usr/bin/env python3
"""Writes starting corpora for the fuzz targets into OUT/<target>/ (default fuzz/seeds-gen/).

Everything is generated here or taken from the repo's own seeds/ and pipeline.toml; no
shared data. The committed corpus (fuzz/corpus/) is what `cargo fuzz cmin` kept after a
campaign started from these files. Option bytes: see src/fuzz_targets.rs.
"""

import gzip
import hashlib
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fuzz" / "seeds-gen"

ARTICLES = [p.read_bytes() for p in sorted((ROOT / "seeds").glob("*.txt"))]

SNIPPETS = [
    "Mr. Smith met Gen. Ivanov in the U.S. on Aug. 14. They talked.",
    'He said: "We will go." Then he left... Did he? Yes!',
    "MOSCOW, Aug 14 (Reuters) - Russia said on Thursday it would back the regions.",
    "1. First item 2. Second item 3. Third item",
    "Prices rose 3.5% to $1,000.50 on 2008-08-14 at 8:22:00; see https://example.org/a.b?c=d.",
    "Russia's envoy didn't say. I'm sure they can't, o'clock, cannot.",
    "world.Today he said.\"The end\" [17] :-) (see p. 4)",
    "Tbilisi\u00a0Mr.\u00a0Saakashvili said \u2026 \u201cno\u201d \u2014 ok",
    "\u6771\u4eac\u3067\u4f1a\u8ac7\u3002\u5408\u610f\u3057\u305f\u3002 \u0420\u043e\u0441\u0441\u0438\u044f \u0437\u0430\u044f\u0432\u0438\u043b\u0430.",
    "Image: AP\nPhoto credit: Reuters\nBy Jane Doe\nAugust 14, 2008\n\nBody text here. More text.",
    "e\u0301 combining\u200b zero-width \ufeff bom \u2028 line sep \u0085 nel",
    "UPPER CASE HEADLINE\n\n\n\nshort\n\tTabbed line.\r\nCRLF line.\r\n",
]


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / f"{name}-{hashlib.sha1(data).hexdigest()[:12]}").write_bytes(data)


def main():
    texts = [a.decode("utf-8", "replace") for a in ARTICLES] + SNIPPETS

    # decode: raw bytes in many encodings.
    for i, a in enumerate(ARTICLES):
        write("decode", f"utf8-{i}", a[:2000])
        write("decode", f"gzip-{i}", gzip.compress(a[:2000]))
    for i, s in enumerate(SNIPPETS):
        for enc in ("utf-8", "utf-8-sig", "utf-16", "utf-16-be", "windows-1252", "koi8-r", "shift_jis", "gb18030"):
            try:
                write("decode", f"{enc}-{i}", s.encode(enc))
            except UnicodeEncodeError:
                pass
    write("decode", "latin1", b"Le pr\xe9sident fran\xe7ais a d\xe9clar\xe9 que la r\xe9gion \xe9tait s\xfbre.")
    write("decode", "binary", bytes([0, 159, 146, 150, 0, 1, 2, 3, 255, 254]))
    write("decode", "blank", b"  \n\t ")
    write("decode", "gzip-multi", gzip.compress(b"first ") + gzip.compress(b"second"))
    write("decode", "gzip-cut", gzip.compress(b"Moscow said" * 50)[:20])

    # html: option byte, then a page.
    para = "<p>The foreign minister said on Tuesday that talks with the rebels would resume next week.</p>"
    pages = [
        "<html lang=en_US><head><title>Talks | Example</title>"
        '<meta property="article:published_time" content="2008-09-09T10:00:00Z">'
        '<meta property="og:site_name" content="Example News"><link rel="canonical" href="/a/b.html">'
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Talks","datePublished":"2008-09-09",'
        '"author":{"name":"Jane Doe"},"publisher":{"name":"Example"}}</script></head>'
        f"<body><nav><a href=/>Home</a></nav><article><h1>Talks</h1><p class=byline>By Jane Doe</p>{para * 6}"
        "<figure><img src=x.jpg><figcaption>A caption</figcaption></figure><aside>Related</aside></article>"
        "<footer>Copyright</footer></body></html>",
        f"<div><div><div><span><b><i>{para}</i></b></span></div></div></div>" * 3,
        "<table><tr><td>a<td>b<tr><td>c</table><ul><li>one<li>two</ul><pre>  x\n  y</pre>",
        "<svg><g><text>svg</text></g></svg><math><mi>x</mi></math><template><p>t</p></template>",
        "<title>t</ti<body><div class=\"a><p>unclosed <b><i>mis</b>nested</i> <<<>>> </div></div>",
        "<time datetime=\"2008-08-14\">Aug 14</time><meta name=date content=\"14 August 2008\">" + para,
        "<!-- comment --><![CDATA[x]]><script>var a='</p>';</script><style>p{}</style><textarea><p></textarea>",
        "<div>" * 300 + para + "</div>" * 300,
    ]
    for i, p in enumerate(pages):
        for opt in (0, 3):
            write("html", f"page-{i}-{opt}", bytes([opt]) + p.encode())

    # clean and split: option byte, then text.
    for i, t in enumerate(texts):
        for opt in (0, 0x0F, 0x50):
            write("clean", f"text-{i}-{opt}", bytes([opt]) + t.encode())
        for opt in (0, 3, 4):
            write("split", f"text-{i}-{opt}", bytes([opt]) + t.encode())

    # tokenize: two little-endian u16 (range), then text.
    for i, t in enumerate(SNIPPETS + [a.decode("utf-8", "replace")[:1500] for a in ARTICLES]):
        b = t.encode()
        write("tokenize", f"whole-{i}", (0).to_bytes(2, "little") + len(b).to_bytes(2, "little") + b)
        write("tokenize", f"mid-{i}", (3).to_bytes(2, "little") + (len(b) // 2 + 1).to_bytes(2, "little") + b)

    # jsonl: files of records.
    records = [
        '{"id": "a", "title": "One", "text": "First article. It has two sentences.", "date": "2008-08-14T10:00:00Z"}',
        '{"headline":"Truce","body":"Text here.","published":"2008-13-40","author":["A","B"],"source":"Reuters"}',
        '{"text": "broken',
        "[1, 2, 3]",
        '{"text": 42, "url": "http://x"}',
        '{"text": "  ", "content": "fallback field"}',
        '{"text": "\\u00e9\\ud83d\\ude00 escaped", "guid": 7}',
        "",
        "   \r",
        '{"text": "' + "long " * 300 + '"}',
    ]
    write("jsonl", "mixed", "\n".join(records) + "\n")
    write("jsonl", "crlf", "\r\n".join(records[:3]))
    write("jsonl", "gzip", gzip.compress("\n".join(records).encode()))
    for i, r in enumerate(records):
        write("jsonl", f"one-{i}", r)

    # config: the shipped file and small pieces of it.
    toml = (ROOT / "pipeline.toml").read_text()
    write("config", "pipeline", toml)
    section = []
    for line in toml.splitlines():
        if line.startswith("[") and section:
            write("config", "section", "\n".join(section) + "\n")
            section = []
        section.append(line)
    write("config", "section", "\n".join(section) + "\n")
    for s in [
        "[run]\nbatch_size = 0\n",
        "[run]\nthraeds = 3\n",
        "[ingest]\nmax_doc_bytes = 1\n",
        '[split]\nextra_abbreviations = ["Supt. title", "Gov", "x. bogus"]\nmax_sentence_bytes = 15\n',
        '[clean]\nmin_repeat_fraction = nan\n[output]\nzstd_level = 23\n',
        "[ingest.jsonl]\ntext = []\n",
        "run = 1\n",
        "[[stance.topics]]\nname = 'x'\n",
        "",
    ]:
        write("config", "piece", s)


if __name__ == "__main__":
    main()
