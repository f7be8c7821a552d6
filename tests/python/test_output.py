"""Opens newsmill's real output on the sample corpus with pyarrow, pandas and DuckDB.

The fixture runs the release binary (NEWSMILL_BIN) on seeds/ into a temporary folder, exactly
as a user would, then every test reads the Parquet tables back.
"""

import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"

# Gold metadata of the five sample articles, read off the article texts by a person.
SEED_TITLES = {
    "000_fbb8f627eddcacc2.txt": "Russia Backs Rebel Regions",
    "001_62128cabde14d688.txt": "Russia: Moscow Boosts Ties With Georgian Breakaway Regions",
    "002_2e6269446043bb2b.txt": "Georgia rebel regions toughen independence push",
    "003_ab8340b01d3b2d97.txt": "Russia signs treaties with 2 breakaway regions",
    "004_4127cb31bb882d13.txt": "Russia to establish ties with Georgian republics",
}
# Only seed 000 prints a full date ("August 14, 2008"); the others give no year.
SEED_DATES = {"000_fbb8f627eddcacc2.txt": "2008-08-14"}

BOILERPLATE = [
    "Skip to content",
    "Skip to main menu",
    "Skip to more DW sites",
    "Accessibility links",
    "Breaking News",
    "IE 11 is not supported",
    "Writes through with quotes",
    "Image: AP",
    "Source: The Associated Press",
    "Daily newsletter",
    "Wednesday.AP",
]

# Article sentences that must survive cleaning, one or more per seed.
PARAGRAPHS = [
    "Please be aware that Russia's position is unchanged.",
    "Eduard Kokoity and Sergei Bagapsh, self-styled presidents of South Ossetia and Abhkazia",
    "Putin on April 16 ordered his government to recognize some documents",
    "ruling out talks with Tbilisi following a week-long conflict between Russia and Georgia",
    "Our key task today is to ensure security of Abkhazia and South Ossetia",
    "Russia will keep 3,800 troops in each of the regions",
    "The Georgian president also criticized the US's initial response to the crisis",
]


@pytest.fixture(scope="session")
def out(tmp_path_factory) -> Path:
    binary = os.environ.get("NEWSMILL_BIN", str(REPO / "target" / "release" / "newsmill"))
    out = tmp_path_factory.mktemp("run") / "output"
    subprocess.run(
        [binary, "run", "--config", str(REPO / "pipeline.toml"), "--input", str(SEEDS),
         "--output", str(out), "--quiet"],
        check=True,
        cwd=REPO,
    )
    return out


def table(out: Path, name: str) -> pa.Table:
    return pq.read_table(out / name)


def test_tables_have_documented_columns_and_types(out):
    docs = table(out, "documents")
    assert docs.schema.field("doc_id").type == pa.string()
    assert docs.schema.field("published").type == pa.date32()
    assert docs.schema.field("n_chars").type == pa.int64()
    sents = table(out, "sentences")
    assert sents.column_names == ["doc_id", "sent_idx", "start", "end", "text"]
    assert sents.schema.field("sent_idx").type == pa.int32()
    fails = table(out, "failures")
    assert fails.column_names == ["source_path", "line", "stage", "error", "source_hash"]
    assert docs.schema.field("source_hash").type == pa.string()
    assert all(len(h) == 32 for h in docs.column("source_hash").to_pylist())


def test_row_counts(out):
    docs = pd.read_parquet(out / "documents")
    assert len(docs) == 5
    assert (docs["status"] == "ok").all()
    assert docs["doc_id"].is_unique
    sents = pd.read_parquet(out / "sentences")
    per_doc = sents.groupby("doc_id").size()
    assert (per_doc >= 10).all(), per_doc
    n_sentences = docs.set_index("doc_id")["n_sentences"]
    assert (n_sentences == per_doc.reindex(n_sentences.index)).all()
    assert len(pd.read_parquet(out / "failures")) == 0


def test_sentence_offsets_slice_clean_text(out):
    docs = pd.read_parquet(out / "documents").set_index("doc_id")
    sents = pd.read_parquet(out / "sentences")
    assert len(sents) > 0
    for row in sents.itertuples():
        text = docs.at[row.doc_id, "clean_text"]
        assert text[row.start:row.end] == row.text
        assert row.text.strip() == row.text and row.text
    for doc_id, text in docs["clean_text"].items():
        assert docs.at[doc_id, "n_chars"] == len(text)


def test_seed_titles_and_dates(out):
    docs = pd.read_parquet(out / "documents")
    docs["file"] = docs["source_path"].map(lambda p: Path(p).name)
    docs = docs.set_index("file")
    for name, title in SEED_TITLES.items():
        assert docs.at[name, "title"] == title, name
    for name, date in SEED_DATES.items():
        assert str(docs.at[name, "published"]) == date, name


def test_boilerplate_removed_and_paragraphs_kept(out):
    docs = pd.read_parquet(out / "documents")
    corpus = "\n".join(docs["clean_text"])
    for junk in BOILERPLATE:
        assert junk not in corpus, junk
    for para in PARAGRAPHS:
        assert para in corpus, para
    for text in docs["clean_text"]:
        assert text.count("Please be aware that Russia's position is unchanged") <= 1


def test_duckdb_reads_table_folders(out):
    con = duckdb.connect()
    n_docs = con.execute(f"SELECT count(*) FROM '{out}/documents/*.parquet'").fetchone()[0]
    assert n_docs == 5
    rows = con.execute(
        f"""
        SELECT d.title, count(*) AS n
        FROM '{out}/sentences/*.parquet' s JOIN '{out}/documents/*.parquet' d USING (doc_id)
        GROUP BY d.title ORDER BY n DESC
        """
    ).fetchall()
    assert len(rows) == 5 and all(n > 0 for _, n in rows)
    # DuckDB's substr is 1-based: character offsets agree with Python's.
    bad = con.execute(
        f"""
        SELECT count(*) FROM '{out}/sentences/*.parquet' s JOIN '{out}/documents/*.parquet' d USING (doc_id)
        WHERE substr(d.clean_text, s.start + 1, s."end" - s.start) <> s.text
        """
    ).fetchone()[0]
    assert bad == 0


def test_manifest(out):
    import json

    m = json.loads((out / "manifest.json").read_text())
    assert m["documents"]["read"] == 5
    assert m["input_files"] == 5
    assert m["tables"]["documents"]["rows"] == 5
    assert len(m["config_hash"]) == 16
    names = [s["name"] for s in m["stages"]]
    # The corpus pre-pass of the clean stage, then the stages in pipeline order.
    assert names[:3] == ["clean-corpus-pass", "clean", "split"]
    assert all(s["docs"] == 5 for s in m["stages"])
    assert m["history"][0]["documents"]["read"] == 5
    # Every model file the run loaded, with its checksum: the NER model and the re-scorer the
    # default `[ner] rescorer = "auto"` pairs with it.
    ner = sorted(Path(f["path"]).name for f in m["models"] if f["stage"] == "ner")
    assert ner == ["ner-conll.bin", "ner-conll.lstm"]
    assert all(len(f["blake3"]) == 64 and f["bytes"] > 0 for f in m["models"])


def check_offsets(out: Path, name: str, start="start", end="end", text="text"):
    docs = pd.read_parquet(out / "documents").set_index("doc_id")["clean_text"]
    rows = pd.read_parquet(out / name)
    assert len(rows) > 0, name
    for r in rows.itertuples():
        s, e = getattr(r, start), getattr(r, end)
        assert docs[r.doc_id][s:e] == getattr(r, text), (name, r)


def test_entities_on_seeds(out):
    ents = pd.read_parquet(out / "entities")
    assert ents.columns.tolist() == ["doc_id", "sent_idx", "ent_idx", "start", "end", "text", "label", "score"]
    check_offsets(out, "entities")
    assert ents["score"].between(0, 1).all()
    labels = ents.groupby("text")["label"].agg(lambda s: s.mode().iloc[0])
    expected = {
        "Dmitry Medvedev": "PER",
        "Mikheil Saakashvili": "PER",
        "South Ossetia": "LOC",
        "Abkhazia": "LOC",
        "NATO": "ORG",
        "European Union": "ORG",
    }
    for text, label in expected.items():
        assert labels.get(text) == label, (text, labels.get(text))


def test_actor_tables_offsets(out):
    check_offsets(out, "mentions")
    check_offsets(out, "quotes")
    check_offsets(out, "stances", "evidence_start", "evidence_end", "evidence")
    actors = pd.read_parquet(out / "actors")
    assert actors["actor_id"].is_unique
    mentions = pd.read_parquet(out / "mentions")
    assert set(mentions["actor_id"].dropna()) <= set(actors["actor_id"])
    assert set(mentions["kind"]) <= {"name", "alias", "metonym", "demonym", "role", "pronoun"}


def actor(actors: pd.DataFrame, name: str) -> pd.Series:
    rows = actors[actors["canonical_name"] == name]
    assert len(rows) == 1, (name, rows)
    return rows.iloc[0]


def test_name_variants_resolve_to_one_actor(out):
    actors = pd.read_parquet(out / "actors")
    medvedev = actor(actors, "Dmitry Medvedev")
    assert {"Medvedev", "Dimitry Medvedev", "Dmitry Medvedev"} <= set(medvedev["aliases"])
    assert medvedev["actor_type"] == "person"
    assert "Abhkazia" in set(actor(actors, "Abkhazia")["aliases"])
    russia = actor(actors, "Russia")
    assert {"Kremlin", "Moscow"} <= set(russia["aliases"])
    assert medvedev["affiliation_actor_id"] == russia["actor_id"]


def test_seed_stances(out):
    con = duckdb.connect()
    rows = con.execute(
        f"""
        SELECT src.canonical_name, s.polarity, coalesce(tgt.canonical_name, s.target_topic) AS target, s.evidence
        FROM '{out}/stances/*.parquet' s
        JOIN '{out}/actors/*.parquet' src ON src.actor_id = s.source_actor_id
        LEFT JOIN '{out}/actors/*.parquet' tgt ON tgt.actor_id = s.target_actor_id
        """
    ).fetchall()
    found = {(a, p, t) for a, p, t, _ in rows}
    assert any(
        a in ("Dmitry Medvedev", "Russia") and p == "support" and t == "independence of South Ossetia and Abkhazia"
        for a, p, t in found
    ), found
    assert ("Mikheil Saakashvili", "oppose", "Russia") in found, found
    # "She will not visit Moscow, however." with She -> Rice (spelt "Condoleeza" in the seed).
    assert ("Condoleezza Rice", "oppose", "Russia") in found, found
    for _, _, _, evidence in rows:
        assert evidence.strip()


def test_readme_strongest_opposing_pairs_query(out):
    con = duckdb.connect()
    rows = con.execute(
        f"""
        SELECT source_name, target_name, n_oppose, n_support, net, n_docs
        FROM '{out}/actor_stance_summary/*.parquet'
        WHERE n_oppose > 0
        ORDER BY n_oppose DESC, net ASC
        LIMIT 10
        """
    ).fetchall()
    assert rows and all(r[2] > 0 for r in rows)
