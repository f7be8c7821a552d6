#!/usr/bin/env python3
"""Train the neural re-scorer of the built-in NER (a small BiLSTM-CRF tagger).

The re-scorer reads per-token ids written by `newsmill train ner-lstm-data` (word-vector row,
hashed prefixes, suffixes, shape and word; the same Rust code computes them when tagging) and
the tokens' characters. When tagging, newsmill adds `mix` times its scores to the perceptron's
last pass before Viterbi decoding, so the two models vote as a product of experts: with --crf
(the shipped design) `mix` times the CRF's emission scores join the perceptron's emissions and
`mix` times its transition/start/end scores join the perceptron's transitions; without --crf,
`mix * log p(tag)` of a softmax layer joins the emissions. `mix` and the epoch are chosen on the
dev file (which must have been written with `--emissions`). For a final retrain on train+dev
(the shipped ner-conll.lstm), --keep-last --mix M trains exactly --epochs epochs with the epoch
count and mix chosen by an earlier train-only run; dev is then only logged.

Architecture: word vector (fixed, ../shared/data/vectors) -> linear 300->vec_dim; learned
embeddings of the hashed ids; optional character CNN (--char-filters: embedding, one
convolution of width --char-width, max over positions, tanh); concatenated -> dropout -> one
BiLSTM layer -> dropout -> linear to the BILOU tags -> CRF (--crf) or softmax. Everything before
the LSTM except the character CNN is linear, so newsmill folds it into per-id gate tables at
load time (`src/ner/lstm.rs`).

Output: a little-endian binary file (magic NMNERNN1, JSON header, f32 tensors). Training is
seeded and single-threaded (torch.set_num_threads(1)) so that a re-run with the versions of
scripts/requirements-train.txt reproduces the file. After training, `newsmill train
ner-calibrate` stores the span-score calibration of the paired model in the file's header
(fitted on dev, or with --calib-from copied from the train-only file after a train+dev retrain).

Usage (models/README.md, "Neural re-scorer", has the exact commands of the shipped file):
  .venv-train/bin/python scripts/train_ner_lstm.py --train train.jsonl --dev dev.jsonl \
      --vectors ../shared/data/vectors/vectors_20000x300_f32.npy --out models/ner-conll.lstm \
      --hidden 64 --char-filters 50 --crf --epochs 20 --patience 5
"""

import argparse
import json
import random
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

MAGIC = b"NMNERNN1"
# Training options newer than the shipped files, with their no-op defaults (see main's header).
LATER_OPTIONS = {"lr_decay": 1.0, "init": None, "ema": 0.0, "aux_train": None, "aux_share": 1.0,
                 "keep_last": False, "mix": None}
EMIS_KEY = {"ids": "emis", "upper": "emis_upper", "title": "emis_title"}


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        sents = [json.loads(line) for line in f if line.strip()]
    return header, sents


MAX_CHARS = 20
CHAR_KEY = {"ids": "c_ids", "upper": "c_upper", "title": "c_title"}


def recase(tok, key):
    if key == "upper":
        return tok.upper()
    if key == "title":
        return tok[:1].upper() + tok[1:]
    return tok


def char_vocab(sents, min_count=2):
    counts = {}
    for s in sents:
        for t in s["tokens"]:
            for key in ("ids", "upper", "title"):
                for c in recase(t, key):
                    counts[c] = counts.get(c, 0) + 1
    chars = sorted(c for c, n in counts.items() if n >= min_count)
    return {c: i + 2 for i, c in enumerate(chars)}  # 0 pad, 1 unknown


def add_char_ids(sents, vocab):
    for s in sents:
        for key, ckey in CHAR_KEY.items():
            arr = np.zeros((len(s["tokens"]), MAX_CHARS), dtype=np.int32)
            for i, t in enumerate(s["tokens"]):
                t = recase(t, key)
                if len(t) > MAX_CHARS:
                    t = t[: MAX_CHARS // 2] + t[-(MAX_CHARS // 2):]
                arr[i, : len(t)] = [vocab.get(c, 1) for c in t]
            s[ckey] = arr


class CharCNN(nn.Module):
    def __init__(self, n_chars, dim, filters, width):
        super().__init__()
        self.emb = nn.Embedding(n_chars, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, filters, width, padding=width // 2)

    def forward(self, chars):
        b, t, l = chars.shape
        flat = chars.reshape(b * t, l)
        h = self.conv(self.emb(flat).transpose(1, 2))
        h = h.masked_fill((flat == 0).unsqueeze(1), -1e4)
        return torch.tanh(h.max(dim=2).values).reshape(b, t, -1)


def allowed(names):
    """BILOU constraint masks (same as Decoder / src/ner/decode.rs)."""
    kinds = [("O", None) if x == "O" else (x[0], x[2:]) for x in names]
    n = len(names)
    ok = np.zeros((n, n), dtype=bool)
    for p, (pk, pty) in enumerate(kinds):
        for c, (ck, cty) in enumerate(kinds):
            ok[p, c] = (pk in "BI" and pty == cty) if ck in "IL" else pk in "OLU"
    return (ok, np.array([k in "OBU" for k, _ in kinds]),
            np.array([k in "OLU" for k, _ in kinds]))


class CRF(nn.Module):
    """Linear-chain CRF over the constrained BILOU tags: transition, start and end scores."""

    def __init__(self, names):
        super().__init__()
        ok, can_start, can_end = allowed(names)
        n = len(names)
        neg = -1e4
        self.register_buffer("mask_t", torch.tensor(np.where(ok, 0.0, neg), dtype=torch.float32))
        self.register_buffer("mask_s", torch.tensor(np.where(can_start, 0.0, neg),
                                                    dtype=torch.float32))
        self.register_buffer("mask_e", torch.tensor(np.where(can_end, 0.0, neg),
                                                    dtype=torch.float32))
        self.trans = nn.Parameter(torch.zeros(n, n))
        self.start = nn.Parameter(torch.zeros(n))
        self.end = nn.Parameter(torch.zeros(n))

    def nll(self, emis, gold, lengths):
        b, t, n = emis.shape
        trans = self.trans + self.mask_t
        start = self.start + self.mask_s
        end = self.end + self.mask_e
        alpha = start + emis[:, 0]
        for i in range(1, t):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + emis[:, i]
            alpha = torch.where((lengths > i).unsqueeze(1), nxt, alpha)
        log_z = torch.logsumexp(alpha + end, dim=1)
        g = gold[:, :t].clamp(min=0)
        valid = (torch.arange(t).unsqueeze(0) < lengths.unsqueeze(1)).float()
        score = (emis.gather(2, g.unsqueeze(2)).squeeze(2) * valid).sum(1) + start[g[:, 0]]
        if t > 1:
            score = score + (trans[g[:, :-1], g[:, 1:]] * valid[:, 1:]).sum(1)
        score = score + end[g[torch.arange(b), lengths - 1]]
        return (log_z - score).mean()


class Tagger(nn.Module):
    def __init__(self, sizes, vectors, vec_dim, emb_dim, hidden, n_tags, dropout,
                 n_chars=0, char_dim=25, char_filters=0, char_width=3):
        super().__init__()
        self.chars = (CharCNN(n_chars, char_dim, char_filters, char_width)
                      if char_filters > 0 else None)
        n_rows = sizes[0]
        vec = np.zeros((n_rows, vectors.shape[1]), dtype=np.float32)
        vec[: vectors.shape[0]] = vectors
        self.vectors = nn.Embedding.from_pretrained(torch.from_numpy(vec), freeze=True)
        self.vec_proj = nn.Linear(vectors.shape[1], vec_dim, bias=False)
        self.tables = nn.ModuleList(nn.Embedding(n, emb_dim) for n in sizes[1:])
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(vec_dim + emb_dim * len(self.tables) + max(char_filters, 0), hidden,
                            batch_first=True,
                            bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_tags)
        self.crf = None
        # --aux-train: a second corpus trains the shared inputs and BiLSTM through its own
        # output layer and CRF (multi-task learning across annotation guidelines); neither is
        # written to the file, so tagging uses the main head only.
        self.aux_out = None
        self.aux_crf = None
        # Residual training: the perceptron's scores times this scale are added to the
        # logits, so the LSTM learns to correct the perceptron (mix = 1 / scale).
        self.perc_scale = nn.Parameter(torch.tensor(0.05))

    def inputs(self, ids, chars=None):
        parts = [self.vec_proj(self.vectors(ids[..., 0]))]
        parts += [t(ids[..., i + 1]) for i, t in enumerate(self.tables)]
        if self.chars is not None:
            parts.append(self.chars(chars))
        return torch.cat(parts, dim=-1)

    def forward(self, ids, lengths, chars=None, aux=False):
        x = self.drop(self.inputs(ids, chars))
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                   enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True)
        return (self.aux_out if aux else self.out)(self.drop(h))


def bilou_spans(tags, names):
    """Spans (start, end, type) of a tag-name sequence; lenient like TagSet::decode."""
    out, open_ = [], None
    for i, t in enumerate(tags):
        name = names[t]
        k, ty = (name[0], name[2:]) if name != "O" else ("O", None)
        cont = k in "IL" and open_ is not None and open_[1] == ty
        if not cont:
            if open_ is not None:
                out.append((open_[0], i, open_[1]))
                open_ = None
            if k != "O":
                open_ = (i, ty)
        if k in "UL" and open_ is not None:
            out.append((open_[0], i + 1, open_[1]))
            open_ = None
    if open_ is not None:
        out.append((open_[0], len(tags), open_[1]))
    return out


class Decoder:
    """Constrained BILOU Viterbi (same constraints as src/ner/decode.rs)."""

    def __init__(self, names, trans, start, end):
        self.base = (np.asarray(trans, dtype=np.float64).reshape(-1),
                     np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64))
        n = len(names)
        kinds = [("O", None) if x == "O" else (x[0], x[2:]) for x in names]
        ok = np.zeros((n, n), dtype=bool)
        for p, (pk, pty) in enumerate(kinds):
            for c, (ck, cty) in enumerate(kinds):
                if ck in "IL":
                    ok[p, c] = pk in "BI" and pty == cty
                else:
                    ok[p, c] = pk in "OLU"
        self.can_start = np.array([k in "OBU" for k, _ in kinds])
        self.can_end = np.array([k in "OLU" for k, _ in kinds])
        neg = -1e9
        self.trans = np.where(ok, np.asarray(trans, dtype=np.float64).reshape(n, n), neg)
        self.start = np.where(self.can_start, np.asarray(start, dtype=np.float64), neg)
        self.end = np.where(self.can_end, np.asarray(end, dtype=np.float64), neg)

    def __call__(self, emis):
        n = emis.shape[0]
        delta = self.start + emis[0]
        back = np.zeros((n, emis.shape[1]), dtype=np.int64)
        for i in range(1, n):
            cand = delta[:, None] + self.trans
            back[i] = cand.argmax(axis=0)
            delta = cand.max(axis=0) + emis[i]
        last = int((delta + self.end).argmax())
        path = [last]
        for i in range(n - 1, 0, -1):
            path.append(int(back[i, path[-1]]))
        return path[::-1]


def f1(pred_gold):
    tp = fp = fn = 0
    for p, g in pred_gold:
        p, g = set(p), set(g)
        tp += len(p & g)
        fp += len(p - g)
        fn += len(g - p)
    prec = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    return 100 * 2 * prec * rec / max(prec + rec, 1e-9)


def batches(items, size, rng):
    order = sorted(range(len(items)), key=lambda i: (len(items[i][0]), rng.random()))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


def to_tensor(seqs):
    lengths = [len(s) for s in seqs]
    width = len(seqs[0][0])
    arr = np.zeros((len(seqs), max(lengths), width), dtype=np.int64)
    for i, s in enumerate(seqs):
        arr[i, : len(s)] = s
    return torch.from_numpy(arr), torch.tensor(lengths)


def chars_tensor(arrs):
    t = max(a.shape[0] for a in arrs)
    out = np.zeros((len(arrs), t, MAX_CHARS), dtype=np.int64)
    for i, a in enumerate(arrs):
        out[i, : a.shape[0]] = a
    return torch.from_numpy(out)


def log_probs(model, sents, key="ids", size=256):
    model.eval()
    out = [None] * len(sents)
    with torch.no_grad():
        order = sorted(range(len(sents)), key=lambda i: len(sents[i][key]))
        for a in range(0, len(order), size):
            idx = [i for i in order[a:a + size] if sents[i][key]]
            if not idx:
                continue
            ids, lengths = to_tensor([sents[i][key] for i in idx])
            chars = (chars_tensor([sents[i][CHAR_KEY[key]] for i in idx])
                     if model.chars is not None else None)
            lp = model(ids, lengths, chars)
            lp = (lp if model.crf is not None else torch.log_softmax(lp, dim=-1)).numpy()
            for j, i in enumerate(idx):
                out[i] = lp[j, : len(sents[i][key])].astype(np.float64)
    model.train()
    return out


def dev_scores(model, dev, names, decoder, plain, mixes):
    """Dev F1 of the re-scorer alone and of perceptron + mix * log p for every mix."""
    lps = log_probs(model, dev)
    gold = [bilou_spans(s["gold"], names) for s in dev]
    n_tags = len(names)
    crf = None
    if model.crf is not None:
        crf = [model.crf.trans.detach().numpy().astype(np.float64).reshape(-1),
               model.crf.start.detach().numpy().astype(np.float64),
               model.crf.end.detach().numpy().astype(np.float64)]
        plain = Decoder(names, *crf)
    alone = f1([(bilou_spans(plain(lp), names), g) for lp, g in zip(lps, gold) if lp is not None])
    mixed = {}
    for m in mixes:
        dec = decoder
        if crf is not None:
            dec = Decoder(names, np.asarray(decoder.base[0]) + m * crf[0],
                          np.asarray(decoder.base[1]) + m * crf[1],
                          np.asarray(decoder.base[2]) + m * crf[2])
        pg = []
        for s, lp, g in zip(dev, lps, gold):
            if lp is None:
                pg.append(([], g))
                continue
            emis = np.asarray(s["emis"], dtype=np.float64).reshape(-1, n_tags) + m * lp
            pg.append((bilou_spans(dec(emis), names), g))
        mixed[m] = f1(pg)
    return alone, mixed


def score_and_report(model, dev, names, decoder, plain, mixes, label, tail=""):
    """dev_scores, the best mix (ties to the smaller) and one printed line `label: ...`."""
    alone, mixed = dev_scores(model, dev, names, decoder, plain, mixes)
    m_best = max(mixes, key=lambda m: (mixed[m], -m))
    print(f"{label}dev F1 alone {alone:.2f}, mixed "
          + " ".join(f"{m}:{mixed[m]:.2f}" for m in mixes) + tail, flush=True)
    return alone, mixed, m_best


def write_model(path, model, header, meta):
    tensors = []

    def add(name, t):
        a = t.detach().cpu().numpy().astype("<f4")
        tensors.append((name, a))

    # Fold the fixed vectors into the projection: rows x D.
    add("rows", model.vec_proj(model.vectors.weight))
    for i, t in enumerate(model.tables):
        add(f"table{i + 1}", t.weight)
    if model.chars is not None:
        add("char.emb", model.chars.emb.weight)
        w = model.chars.conv.weight  # filters x char_dim x width
        add("char.conv.w", w.reshape(w.shape[0], -1))
        add("char.conv.b", model.chars.conv.bias)
    if model.crf is not None:
        add("crf.trans", model.crf.trans)
        add("crf.start", model.crf.start)
        add("crf.end", model.crf.end)
    for d, sfx in (("fwd", ""), ("bwd", "_reverse")):
        add(f"{d}.w_ih", getattr(model.lstm, f"weight_ih_l0{sfx}"))
        add(f"{d}.w_hh", getattr(model.lstm, f"weight_hh_l0{sfx}"))
        add(f"{d}.b", getattr(model.lstm, f"bias_ih_l0{sfx}")
            + getattr(model.lstm, f"bias_hh_l0{sfx}"))
    add("out.w", model.out.weight)
    add("out.b", model.out.bias)
    head = dict(meta)
    head["tensors"] = [{"name": n, "shape": list(a.shape)} for n, a in tensors]
    blob = json.dumps(head, sort_keys=True).encode("utf-8")
    tmp = str(path) + ".tmp"
    with open(tmp, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(blob)))
        f.write(blob)
        for _, a in tensors:
            f.write(a.tobytes())
    import os
    os.replace(tmp, path)


def read_model(path):
    """Header and tensors (name -> array) of a file written by write_model."""
    with open(path, "rb") as f:
        if f.read(8) != MAGIC:
            sys.exit(f"{path}: not a re-scorer file (magic {MAGIC!r} missing)")
        (n,) = struct.unpack("<I", f.read(4))
        head = json.loads(f.read(n).decode("utf-8"))
        tensors = {}
        for t in head["tensors"]:
            count = int(np.prod(t["shape"]))
            a = np.frombuffer(f.read(4 * count), dtype="<f4")
            tensors[t["name"]] = a.reshape(t["shape"]).astype(np.float32)
    return head, tensors


def init_from(path, model, cvocab):
    """Start from the weights of an earlier re-scorer file (continued training, --init).

    The file stores the projected vector rows, not the projection, so the projection is
    recovered by least squares over the fixed vectors (exact up to rounding: the 300-d
    vectors have full rank). The LSTM's two bias vectors were stored summed; the sum goes to
    bias_ih and bias_hh starts at zero. Adam's moments start fresh.
    """
    head, t = read_model(path)
    chars = [c for c, _ in sorted(cvocab.items(), key=lambda kv: kv[1])]
    if head.get("chars", []) != chars:
        sys.exit(f"{path}: its character vocabulary differs from the one built from --train")
    if head["tags"] != model.tag_names:
        sys.exit(f"{path}: its tag set differs from --train's")

    def put(param, a):
        if tuple(param.shape) != a.shape:
            sys.exit(f"{path}: a tensor has shape {a.shape}, this model needs "
                     f"{tuple(param.shape)}: use the file's --hidden/--vec-dim/... options")
        with torch.no_grad():
            param.copy_(torch.from_numpy(np.ascontiguousarray(a)))

    vec = model.vectors.weight.detach().numpy().astype(np.float64)
    rows = t["rows"].astype(np.float64)
    proj, *_ = np.linalg.lstsq(vec, rows, rcond=None)  # 300 x vec_dim
    put(model.vec_proj.weight, proj.T.astype(np.float32))
    for i, table in enumerate(model.tables):
        put(table.weight, t[f"table{i + 1}"])
    if model.chars is not None:
        put(model.chars.emb.weight, t["char.emb"])
        put(model.chars.conv.weight, t["char.conv.w"].reshape(model.chars.conv.weight.shape))
        put(model.chars.conv.bias, t["char.conv.b"])
    if model.crf is not None:
        put(model.crf.trans, t["crf.trans"])
        put(model.crf.start, t["crf.start"])
        put(model.crf.end, t["crf.end"])
    for d, sfx in (("fwd", ""), ("bwd", "_reverse")):
        put(getattr(model.lstm, f"weight_ih_l0{sfx}"), t[f"{d}.w_ih"])
        put(getattr(model.lstm, f"weight_hh_l0{sfx}"), t[f"{d}.w_hh"])
        put(getattr(model.lstm, f"bias_ih_l0{sfx}"), t[f"{d}.b"])
        put(getattr(model.lstm, f"bias_hh_l0{sfx}"), np.zeros_like(t[f"{d}.b"]))
    put(model.out.weight, t["out.w"])
    put(model.out.bias, t["out.b"])
    return head


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True, help="`newsmill train ner-lstm-data` output")
    ap.add_argument("--dev", required=True, help="same, written with --emissions")
    ap.add_argument("--vectors", required=True, help="vectors_20000x300_f32.npy")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--patience", type=int, default=6)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--vec-dim", type=int, default=64)
    ap.add_argument("--emb-dim", type=int, default=32)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--lr-decay", type=float, default=1.0,
                    help="multiply the learning rate by this after every epoch (1: constant)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--upper", type=float, default=0.15, help="share of sentences in UPPER CASE")
    ap.add_argument("--title", type=float, default=0.10, help="share in Title Case")
    ap.add_argument("--row-dropout", type=float, default=0.05,
                    help="share of tokens whose word-vector row is hidden (learn affixes)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--init", help="continue training from this re-scorer file's weights "
                                   "(same architecture options; Adam starts fresh)")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="also keep an exponential moving average of the weights with this decay "
                         "per update (e.g. 0.999; 0: off); each epoch scores the raw and the "
                         "averaged weights on dev and the better one competes for best epoch")
    ap.add_argument("--aux-train",
                    help="a second `train ner-lstm-data` export with the same tag set, from "
                         "another corpus (e.g. OntoNotes mapped to CoNLL types): it trains the "
                         "shared layers through a separate output layer and CRF")
    ap.add_argument("--aux-share", type=float, default=1.0,
                    help="--aux-train sentences drawn per epoch, as a share of --train's")
    ap.add_argument("--keep-last", action="store_true",
                    help="train exactly --epochs epochs and keep the last, with --mix fixed: "
                         "for a final retrain whose epoch count and mix were chosen on dev "
                         "beforehand (e.g. on train+dev, where dev scores are no longer "
                         "held out and only logged)")
    ap.add_argument("--mix", type=float,
                    help="with --keep-last: the mix to store (chosen on dev beforehand)")
    ap.add_argument("--char-filters", type=int, default=0, help="char CNN filters (0: none)")
    ap.add_argument("--char-dim", type=int, default=25)
    ap.add_argument("--char-width", type=int, default=3)
    ap.add_argument("--crf", action="store_true", help="train with a CRF output layer")
    ap.add_argument("--test", action="append", default=[],
                    help="held-out file (with --emissions) scored once with the dev-chosen "
                         "epoch and mix")
    args = ap.parse_args()
    if args.keep_last != (args.mix is not None):
        sys.exit("--keep-last and --mix go together")
    if args.keep_last and (args.ema or args.init):
        sys.exit("--keep-last keeps the raw weights of the last epoch: no --ema or --init")

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)

    header, train = read_jsonl(args.train)
    dev_header, dev = read_jsonl(args.dev)
    names = header["tags"]
    if dev_header["tags"] != names:
        sys.exit("train and dev files have different tag sets")
    if not all(s["emis"] for s in dev if s["ids"]):
        sys.exit(f"{args.dev}: written without --emissions")
    sizes = header["input_sizes"]
    cvocab = {}
    if args.char_filters > 0:
        cvocab = char_vocab(train)
        add_char_ids(train, cvocab)
        add_char_ids(dev, cvocab)
        print(f"char CNN: {len(cvocab)} characters, {args.char_filters} filters", flush=True)
    vectors = np.load(args.vectors).astype(np.float32)
    vectors /= vectors.std()
    decoder = Decoder(names, dev_header["trans"], dev_header["start"], dev_header["end"])
    zero = Decoder(names, [0.0] * len(names) ** 2, [0.0] * len(names), [0.0] * len(names))
    mixes = [0.0, 2.0, 4.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0]
    if args.keep_last and args.mix not in mixes:
        mixes = sorted(mixes + [args.mix])
    residual = all(s["emis"] for s in train if s["ids"])
    if residual and args.aux_train:
        sys.exit("--aux-train needs independent training (a --train file without --emissions)")
    print("residual training on held-out perceptron scores" if residual
          else "independent training (train file has no --emissions)", flush=True)
    print(f"{len(train)} train / {len(dev)} dev sentences, {len(names)} tags", flush=True)
    _, base = dev_scores(Tagger(sizes, vectors, 1, 1, 1, len(names), 0.0), dev, names, decoder,
                         zero, [0.0])
    print(f"perceptron alone on dev: F1 {base[0.0]:.2f}", flush=True)

    model = Tagger(sizes, vectors, args.vec_dim, args.emb_dim, args.hidden, len(names),
                   args.dropout, len(cvocab) + 2, args.char_dim, args.char_filters,
                   args.char_width)
    if args.crf:
        model.crf = CRF(names)
    aux_items = []
    if args.aux_train:
        aux_header, aux = read_jsonl(args.aux_train)
        if aux_header["tags"] != names or aux_header["input_sizes"] != sizes:
            sys.exit(f"{args.aux_train}: its tag set or input sizes differ from --train's")
        if cvocab:
            add_char_ids(aux, cvocab)
        aux_items = [(s["ids"], s) for s in aux if s["ids"]]
        model.aux_out = nn.Linear(2 * args.hidden, len(names))
        model.aux_crf = CRF(names) if args.crf else None
        print(f"auxiliary corpus: {len(aux_items)} sentences, {args.aux_share} x "
              f"{len(train)} drawn per epoch", flush=True)
    model.tag_names = names
    if args.init:
        init = init_from(args.init, model, cvocab)
        print(f"continuing from {args.init} (epoch {init['epoch']}, dev F1 mixed "
              f"{init['dev_f1_mixed']})", flush=True)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-1)
    oov = sizes[0] - 1
    best = (-1.0, 0, 0.0, None, 0.0)
    if args.init:
        # The starting point competes as epoch 0, so continuing can never ship a worse file.
        alone, mixed, m_best = score_and_report(model, dev, names, decoder, zero, mixes,
                                                "epoch 0: ")
        best = (mixed[m_best], 0, m_best,
                {k: v.clone() for k, v in model.state_dict().items()}, alone)
    items = [(s["ids"], s) for s in train if s["ids"]]
    trained = [(k, p) for k, p in model.named_parameters() if p.requires_grad]
    ema = {k: p.detach().clone() for k, p in trained} if args.ema > 0 else None
    steps = 0
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        total = 0.0
        plan = [(False, chunk) for chunk in batches(items, args.batch, rng)]
        if aux_items:
            drawn = rng.sample(range(len(aux_items)),
                               min(len(aux_items), round(args.aux_share * len(items))))
            sub = [aux_items[i] for i in drawn]
            plan += [(True, [sub[i] for i in chunk]) for chunk in batches(sub, args.batch, rng)]
            rng.shuffle(plan)
        for is_aux, chunk in plan:
            seqs, golds, percs, charr = [], [], [], []
            for i in chunk:
                s = i[1] if is_aux else items[i][1]
                r = rng.random()
                key = "upper" if r < args.upper else "title" if r < args.upper + args.title else "ids"
                if residual:
                    percs.append(s[EMIS_KEY[key]])
                ids = [list(t) for t in s[key]]
                for t in ids:
                    if rng.random() < args.row_dropout:
                        t[0] = oov
                seqs.append(ids)
                golds.append(s["gold"])
                if model.chars is not None:
                    charr.append(s[CHAR_KEY[key]])
            ids, lengths = to_tensor(seqs)
            gold = torch.full(ids.shape[:2], -1, dtype=torch.long)
            for i, g in enumerate(golds):
                gold[i, : len(g)] = torch.tensor(g)
            logits = model(ids, lengths, chars_tensor(charr) if charr else None, aux=is_aux)
            if residual:
                perc = torch.zeros(logits.shape)
                for i, e in enumerate(percs):
                    e = torch.tensor(e, dtype=torch.float32).reshape(-1, len(names))
                    perc[i, : e.shape[0]] = e
                logits = logits + model.perc_scale * perc
            if model.crf is not None:
                loss = (model.aux_crf if is_aux else model.crf).nll(logits, gold, lengths)
            else:
                loss = loss_fn(logits.reshape(-1, len(names)),
                               gold[:, : logits.shape[1]].reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += float(loss.detach()) * len(chunk)
            if ema is not None:
                # Warm-up as in TensorFlow's ExponentialMovingAverage: early averages do not
                # drag the random initial weights along for thousands of updates.
                steps += 1
                d = min(args.ema, (1 + steps) / (10 + steps))
                with torch.no_grad():
                    for k, p in trained:
                        ema[k].mul_(d).add_(p.detach(), alpha=1 - d)
        if residual:
            m0 = 1.0 / max(float(model.perc_scale), 1e-3)
            mixes = [round(m0 * f, 2) for f in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)]
        alone, mixed, m_best = score_and_report(
            model, dev, names, decoder, zero, mixes,
            f"epoch {epoch}: loss {total / len(items):.4f}, ", f" ({time.time() - t0:.0f} s)")
        for group in opt.param_groups:
            group["lr"] *= args.lr_decay
        # State None: the model's current (raw) weights, copied only if they become the best.
        candidates = [(mixed[m_best], m_best, alone, None)]
        if ema is not None:
            raw = {k: v.clone() for k, v in model.state_dict().items()}
            model.load_state_dict({**raw, **ema})
            e_alone, e_mixed, e_best = score_and_report(model, dev, names, decoder, zero,
                                                        mixes, f"epoch {epoch} averaged: ")
            candidates.append((e_mixed[e_best], e_best, e_alone,
                               {k: v.clone() for k, v in model.state_dict().items()}))
            model.load_state_dict(raw)
        f1_c, m_c, alone_c, state_c = max(candidates, key=lambda c: c[0])
        if args.keep_last:
            if epoch == args.epochs:
                best = (mixed[args.mix], epoch, args.mix,
                        {k: v.clone() for k, v in model.state_dict().items()}, alone)
        elif f1_c > best[0]:
            if state_c is None:
                state_c = {k: v.clone() for k, v in model.state_dict().items()}
            best = (f1_c, epoch, m_c, state_c, alone_c)
        elif epoch - best[1] >= args.patience:
            break
    f1_mixed, epoch, mix, state, alone = best
    model.load_state_dict(state)
    meta = {
        "format": 1,
        "scheme": header["scheme"],
        "tags": names,
        "input_sizes": sizes,
        "hidden": args.hidden,
        "mix": mix,
        "residual": residual,
        "dev_f1_perceptron": round(base[0.0], 2),
        "dev_f1_alone": round(alone, 2),
        "dev_f1_mixed": round(f1_mixed, 2),
        "epoch": epoch,
        "chars": [c for c, _ in sorted(cvocab.items(), key=lambda kv: kv[1])],
        "max_chars": MAX_CHARS,
        "char_width": args.char_width,
        "crf": args.crf,
        # Options added after the shipped files were trained are recorded only when used, so
        # re-running a shipped file's command still writes the same header.
        "args": {k: v for k, v in vars(args).items()
                 if k != "out" and not (k in LATER_OPTIONS and v == LATER_OPTIONS[k])},
    }
    write_model(args.out, model, header, meta)
    for path in args.test:
        _, tsents = read_jsonl(path)
        if cvocab:
            add_char_ids(tsents, cvocab)
        t_alone, t_mixed = dev_scores(model, tsents, names, decoder, zero, [0.0, mix])
        print(f"test {path}: perceptron {t_mixed[0.0]:.2f}, re-scorer alone {t_alone:.2f}, "
              f"mixed (mix {mix}) {t_mixed[mix]:.2f}", flush=True)
    print(f"best epoch {epoch}: dev F1 mixed {f1_mixed:.2f} at mix {mix} (alone {alone:.2f}, "
          f"perceptron {base[0.0]:.2f}); wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
