#!/usr/bin/env python3
# bench/gen.py: deterministic generator of a realistic planq corpus for the
# benchmark.  Varies the five samples/*.txt layouts (org, fiscal year, amounts,
# page ids, number of issues: 2 KB..200 KB), adds ~10% exact duplicates and
# ~5% non-plans (minutes, 404 pages).  Standard library only.
#
#   gen.py --out DIR --docs N [--seed S] [--prefix P] [--fixed-size BYTES]
#          [--big BYTES]
#
# Writes DIR/<prefix>NNNNNN.txt and DIR/manifest.tsv (path, kind, bytes) in
# sending order.  --fixed-size makes every document a plan of about BYTES
# (no duplicates, no non-plans: the light-load and memory phases).
# --big writes one plan of about BYTES (the 8 MiB memory test) instead.
import argparse
import os
import random
import re
import sys

WARDS = ("北区 都島区 福島区 此花区 中央区 西区 港区 大正区 天王寺区 浪速区 "
         "西淀川区 淀川区 東淀川区 東成区 生野区 旭区 城東区 鶴見区 阿倍野区 "
         "住之江区 住吉区 東住吉区 平野区 西成区").split()
BUREAUS = ("建設局 環境局 福祉局 健康局 こども青少年局 経済戦略局 都市整備局 "
           "市民局 危機管理室 教育委員会事務局 水道局 港湾局").split()
# (label, short form used in 「N年度予算額」, western year)
YEARS = [("平成%d年度" % n, "%d年度" % n, 1988 + n) for n in range(25, 31)] + \
        [("令和元年度", "元年度", 2019)] + \
        [("令和%d年度" % n, "%d年度" % n, 2018 + n) for n in range(2, 9)]
SURNAMES = "田中 山本 中村 小林 加藤 吉田 山田 佐々木 松本 井上 木村 林 清水".split()
GIVEN = "誠 健一 裕子 直樹 恵美 浩二 真理 隆 智子 修 和也 陽子".split()

# per template: the org and year it was written for, and where its issue
# blocks are (first block start, block separator, end of the last block)
TEMPLATES = {
    "01_kita_r3_table.txt": dict(org="北区", label="令和3年度", short="3年度",
                                 sep="経営課題の概要\t主な戦略\n", end="\n\n", kind="ward"),
    "02_minato_h30_markers.txt": dict(org="港区", label="平成30年度", short="30年度",
                                      sep="経営課題の概要\t主な戦略\n", end="\n\n「市政改革",
                                      kind="ward"),
    "03_miyakojima_r5_web.txt": dict(org="都島区", label="令和5年度", short="5年度",
                                     sep="経営課題", end="「市政改革", kind="ward",
                                     sep_re=r"(?m)^経営課題\d+ "),
    "04_fragment_council_md.txt": dict(org=None, label=None, short=None,
                                       sep="## 経営課題", end="# 区政会議の意見",
                                       kind="fragment", sep_re=r"(?m)^## 経営課題\d+\n"),
    "05_kensetsu_r6_markdown.txt": dict(org="建設局", label="令和6年度", short="6年度",
                                        sep="経営課題の概要\t主な戦略\n", end="\n### ",
                                        kind="bureau"),
}

MINUTES = """{org}区政会議 全体会 会議録

日時 {label}{m}月{d}日(木) 午後7時から午後8時30分
場所 {org}役所 3階 会議室

出席委員 {n}名

議題
(1) {label}{org}運営方針(素案)について
(2) その他

議事
{body}
以上
"""
MINUTES_LINES = [
    "議長: それでは定刻になりましたので、ただいまから会議を開催します。",
    "委員: 防災訓練の参加者が毎年同じ顔ぶれになっているように思います。",
    "区役所: ご指摘のとおりで、若い世代への周知方法を工夫してまいります。",
    "委員: 子育てサロンの開催日を土曜日にも広げてほしいという声があります。",
    "議長: ほかにご意見はございますか。",
    "委員: 区の広報紙が高齢者には読みにくいという意見を聞きます。",
    "区役所: 文字の大きさやレイアウトについて検討いたします。",
]
NOT_FOUND = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>404 Not Found | 大阪市</title></head>
<body><div id="content"><h1>お探しのページが見つかりません</h1>
<p>申し訳ございません。お探しのページ(ページ番号:{pid})は削除されたか、
URLが変更された可能性があります。</p>
<p><a href="https://www.city.osaka.lg.jp/">大阪市トップページへ</a></p>
</div><footer>Copyright (c) City of Osaka. {n}</footer></body></html>
"""


def fmt_amount(rng):
    v = int(rng.lognormvariate(8.5, 1.6))
    v = max(1, min(v, 9_999_999))
    return f"{v:,}"


def split_blocks(text, t):
    """head, [issue blocks], tail"""
    sep_re = t.get("sep_re") or re.escape(t["sep"])
    first = re.search(sep_re, text)
    endpos = text.find(t["end"], first.start())
    if endpos < 0:
        endpos = len(text)
    body = text[first.start():endpos]
    starts = [m.start() for m in re.finditer(sep_re, body)] + [len(body)]
    blocks = [body[a:b] for a, b in zip(starts, starts[1:])]
    return text[:first.start()], blocks, text[endpos:]


ISSUE_NUM = re.compile(r"(経営課題\s*)(\d+)")
CODE_NUM = re.compile(r"(?<![0-9,.\-])(\d+)(-\d+(?:-\d+)?)(?![0-9])")


def renumber(block, k):
    block = ISSUE_NUM.sub(lambda m: m.group(1) + str(k), block)
    return CODE_NUM.sub(lambda m: str(k) + m.group(2), block)


def make_plan(rng, templates, target=None):
    name = rng.choice(sorted(templates))
    text, t = templates[name]
    head, blocks, tail = split_blocks(text, t)
    if target is None:
        r = rng.random()
        if r < 0.80:
            target = rng.randint(2_000, 14_000)
        elif r < 0.95:
            target = int(rng.uniform(14_000, 60_000))
        else:
            target = int(rng.uniform(60_000, 200_000))
    out_blocks = list(blocks)
    size = len((head + "".join(out_blocks) + tail).encode())
    k = len(blocks)
    while size < target:
        k += 1
        b = renumber(rng.choice(blocks), k)
        out_blocks.append(b)
        size += len(b.encode())
    # never below the template's own issues, except short fragments
    doc = head + "".join(out_blocks) + tail
    if t["org"]:
        org = rng.choice(BUREAUS if t["kind"] == "bureau" else WARDS)
        label, short, _ = rng.choice(YEARS)
        doc = doc.replace(t["label"], label)
        doc = re.sub(r"(?<![0-9０-９])" + re.escape(t["short"]), short, doc)
        doc = doc.replace(t["org"], org)
        if t["org"].endswith("区") and org.endswith("区"):
            doc = doc.replace(t["org"][:-1] + "役所", org[:-1] + "役所")
        doc = re.sub(r"(区長|局長):[^)）]+", lambda m: m.group(1) + ":" +
                     rng.choice(SURNAMES) + " " + rng.choice(GIVEN), doc)
    doc = re.sub(r"(?<![0-9,])\d{1,3}(?:,\d{3})*(?=千円)", lambda m: fmt_amount(rng), doc)
    doc = re.sub(r"ページ番号:\d+", lambda m: "ページ番号:%d" % rng.randint(100000, 999999), doc)
    # a unique trailer so that only intended duplicates share bytes
    doc += "\n<!-- planq-bench %08x -->\n" % rng.getrandbits(32)
    return doc


def make_nonplan(rng):
    org = rng.choice(WARDS)
    if rng.random() < 0.5:
        label = rng.choice(YEARS)[0]
        body = "\n".join(rng.choice(MINUTES_LINES) for _ in range(rng.randint(5, 60)))
        return MINUTES.format(org=org, label=label, m=rng.randint(1, 12),
                              d=rng.randint(1, 28), n=rng.randint(12, 30), body=body)
    return NOT_FOUND.format(pid=rng.randint(100000, 999999), n=rng.getrandbits(32))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--prefix", default="d")
    ap.add_argument("--fixed-size", type=int, default=0)
    ap.add_argument("--big", type=int, default=0)
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    sdir = os.path.join(here, "..", "samples")
    templates = {}
    for n, t in TEMPLATES.items():
        with open(os.path.join(sdir, n), encoding="utf-8") as f:
            templates[n] = (f.read(), t)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    done, manifest = [], []
    count = 1 if a.big else a.docs
    # layouts with a real org/year for fixed-size and big documents
    keyed = {n: v for n, v in templates.items() if v[1]["org"] and not n.startswith("03")}
    for i in range(count):
        if a.big:
            kind, doc = "plan", make_plan(rng, keyed, a.big).encode()
        elif a.fixed_size:
            kind, doc = "plan", make_plan(rng, keyed, a.fixed_size).encode()
        else:
            r = rng.random()
            if r < 0.10 and done:
                kind, doc = "dup", rng.choice(done)
            elif r < 0.15:
                kind, doc = "nonplan", make_nonplan(rng).encode()
            else:
                kind, doc = "plan", make_plan(rng, templates).encode()
            if kind != "dup":
                done.append(doc)
        path = os.path.join(a.out, "%s%06d.txt" % (a.prefix, i))
        with open(path, "wb") as f:
            f.write(doc)
        manifest.append("%s\t%s\t%d" % (path, kind, len(doc)))
    with open(os.path.join(a.out, "manifest.tsv"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    total = sum(int(m.rsplit("\t", 1)[1]) for m in manifest)
    print("gen: %d documents, %.1f MB in %s" % (len(manifest), total / 1e6, a.out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
