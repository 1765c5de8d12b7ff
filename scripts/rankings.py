"""Write docs/rankings.md: each example's ranking before issues 12-14 (commit 6ce665f, kept in
docs/data/before-6ce665f.json) and now, with the change of every component and why it moved.

    .venv/bin/python scripts/rankings.py            # rewrites docs/rankings.md (about a minute)
"""

from __future__ import annotations

import json
from pathlib import Path

import kopru

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "docs" / "data" / "before-6ce665f.json"
OUT = ROOT / "docs" / "rankings.md"
SHOWN = 6
RISK = {"samples": 5000, "seed": 3}  # as the before run

# why a component moved, by component and by the country of the site (what changed since 6ce665f)
WHY = {
    ("duties", "KZ"): (
        "Türkiye's additional customs duty (İGV) on sales into Türkiye, charged on the customs value"
        " (the price less the duty), not the plant's cost"
    ),
    ("duties", "TR"): (
        "EAEU duties now include their specific minimums (1.75 EUR/kg on T-shirts), and ad valorem"
        " duties are charged on the customs value (the price less the duty), not the plant's cost"
    ),
    ("taxes", "TR"): (
        "profit tax on a lower profit (costs rose), less what an expansion's incentive certificate"
        " spares (an assumption: docs/research/turkiye_taxes_fx.md, ninth pass)"
    ),
    ("taxes", "KZ"): (
        "incentives re-valued (SEZ corporate income tax exemption), and the SEZ reliefs last as long as"
        " the project's cost category allows (7 years for a category A project) and never past the"
        " zone's own term (Ontustik: 1 July 2030)"
    ),
    ("capital", "KZ"): "one cost definition: fixed costs spread over the units sold, not the capacity",
    ("capital", "TR"): (
        "land counted at its price × WACC, fixed costs over the units sold, and an existing plant short of"
        " capacity pays for the expansion it needs (a new plant's capex per unit of capacity)"
    ),
    ("logistics", "KZ"): "2024 Black Sea sea rates, CPMM 2023 border times and charges, Baku port at Alat",
    ("logistics", "TR"): (
        "2024 Black Sea sea rates, CPMM 2023 border times and charges, Baku port at Alat; Turkish rail"
        " distances from line km posts (Ankara-İzmit 485 km, Kayseri-Samsun 618, Adana-Mersin 67), and"
        " Denizli's line by Eskişehir (780 km to Istanbul, was 1,703 by İzmir and Ankara)"
    ),
    ("materials", "KZ"): (
        "freight on imported inputs (border charges and times, 2024 sea rates); no duty on the inputs of"
        " goods exported out of the EAEU (inward processing)"
    ),
    # what changed in one example's own inputs, said beside its sites' materials only
    ("materials", "KZ", "food_processing"): (
        "freight on imported inputs (border charges and times, 2024 sea rates); no duty on the inputs of"
        " goods exported out of the EAEU (inward processing); its packaging freighted by the space it"
        " takes (0.5 l a kg, the example's assumption) and its bakery fat bought locally or from"
        " Istanbul, whichever lands cheaper at the site"
    ),
    ("materials", "TR"): (
        "freight on imported inputs, and İGV on inputs imported into Türkiye (Uzbek ones too), waived on"
        " the inputs of exports outside the EU and FTA partners (inward processing, DİR)"
    ),
    ("energy", "KZ"): (
        "the tenge's 2026 rate and regional electricity and gas rows (the 2026-27 gas caps; Astana's"
        " and Almaty's own 2026 electricity prices, the other regions borrowing the country's, as"
        " stated)"
    ),
    ("labour", "KZ"): (
        "a Kazakh plant takes 1.2 times a Turkish plant's direct hours a unit (an assumption between two"
        " economy-wide comparisons of output per hour, ILO 1.02 and The Economist 1.37; before, the same"
        " hours); the tenge at its 2026 mean rate (+6.6 % in dollars); every region's own 2025 annual"
        " wage from one BNS table (about 7 % above the Q3 2025 figures of the series with small"
        " enterprises; before, ten regions had the national figure or a figure of another quarter),"
        " brought to 2026 by the 2025 wage growth (+9.3 %)"
    ),
    ("labour", "sez_ontustik"): (
        "the zone placed in Shymkent (its wage), not Turkistan Region; 1.2 times a Turkish plant's hours"
        " a unit (an assumption, see the other Kazakh sites); every region's own 2025 annual wage from"
        " one BNS table, brought to 2026 (+9.3 %)"
    ),
    ("labour", "TR"): (
        "the national wage instead of per-province copies of it (same value); employer premiums at"
        " 18.75 %: the 2026 statutory 23.75 % less the Treasury's 5 points for a manufacturer that pays"
        " on time; 187.1 working hours a month net of public holidays (was 195)"
    ),
}


def money(x: float) -> str:
    return f"{x:,.0f}"


def example_section(name: str, before: dict) -> list[str]:
    profile = ROOT / "examples" / f"{name}.yaml"
    plan = kopru.plan(profile)
    risk = kopru.risk(profile, **RISK)
    rec = plan.recommendation
    was = {s["id"]: (k + 1, s) for k, s in enumerate(before["ranking"])}
    lines = [
        f"## {name}",
        "",
        f"- **Before** (6ce665f): {before['recommended']}, {before['saving_pct']:.1%} below the Turkish"
        f" baseline {before['baseline']}; P(best) "
        + ", ".join(f"{k} {v:.1%}" for k, v in before["risk"]["p_best"].items())
        + f" ({before['risk']['samples']:,} samples, seed {before['risk']['seed']}).",
        f"- **Now**: {rec.site}, {rec.saving_pct:.1%} below {rec.baseline_site}; P(best) "
        + ", ".join(f"{s.id} {s.p_best:.1%}" for s in risk.sites if s.p_best >= 0.005)
        + f"; the recommendation changes in {risk.p_recommendation_changes:.1%} of samples.",
        f"- **Borrowed values at their unfavourable end** (kopru.borrowing): {plan.borrowed_stress.text}"
        if plan.borrowed_stress
        else "- Nothing the recommended site's cost rests on is borrowed.",
        "",
        f"| site | rank before → now | annual cost before ({plan.currency}) | now | change | largest"
        " changes by component | why |",
        "|---|---|---|---|---|---|---|",
    ]
    ids = plan.ranking[:SHOWN] + [s for s in [rec.baseline_site] if s and s not in plan.ranking[:SHOWN]]
    for sid in ids:
        site = plan.site(sid)
        now = site.landed_cost
        if sid not in was:
            row = f"| {site.name} | new → {site.rank} | — | {money(now.total)} | — | — | a new option |"
            lines.append(row)
            continue
        rank_before, old = was[sid]
        delta = {c: (now.components[c] or 0.0) - (old["components"].get(c) or 0.0) for c in plan.components}
        top = sorted(delta, key=lambda c: -abs(delta[c]))[:2]
        parts = ", ".join(f"{c} {delta[c]:+,.0f}" for c in top if abs(delta[c]) >= 1)
        why = "; ".join(
            WHY.get((c, site.country, name), WHY.get((c, sid), WHY.get((c, site.country), c)))
            for c in top
            if abs(delta[c]) >= 1
        )
        lines.append(
            f"| {site.name} | {rank_before} → {site.rank} | {money(old['total'])} | {money(now.total)} |"
            f" {now.total / old['total'] - 1:+.1%} | {parts} | {why} |"
        )
    best, base = plan.site(rec.site), plan.site(rec.baseline_site) if rec.baseline_site else None
    if best.appraisal is not None and best.appraisal.vs_baseline is not None and base is not None:
        v = best.appraisal.vs_baseline
        lines += [
            "",
            f"New since 6ce665f: the appraisal. {best.name}: NPV {money(best.appraisal.npv)} {plan.currency}"
            f" at a WACC of {best.appraisal.wacc:.0%}; moving from {base.name} is worth {money(v.npv)}"
            f" {plan.currency} (IRR of the move {v.irr:.1%})."
            if v.irr is not None
            else "",
        ]
    lines.append("")
    return lines


def main() -> None:
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    lines = [
        "# The examples' rankings before and after issues 12-14",
        "",
        "Generated by `scripts/rankings.py` from the rankings of commit 6ce665f (kept in",
        "`docs/data/before-6ce665f.json`) and the current code and data pack. The change column of a",
        "component is the change of its annual amount; *why* names what changed since then for that",
        "component at that kind of site. Risk: the same samples and seed as the before run.",
        "",
        "What changed in the model and the data since 6ce665f, in the order of their effect on the",
        "examples:",
        "",
        "1. **Duties.** Kazakh goods sold into Türkiye now pay Türkiye's additional customs duty (İGV) on",
        "   top of the MFN duty (a T-shirt 12 + 39 %); Turkish goods sold into the EAEU now pay the EAEU's",
        "   specific duties (1.75 EUR/kg on T-shirts), which kopru had read but not applied.",
        "2. **One cost definition.** Fixed costs are spread over the units sold, not the capacity, so plan",
        "   and optimizer agree; land is a cost at every site (price × WACC, or the lease), free in an SEZ.",
        "3. **Incentives on both sides.** New Turkish plants get the 2025 investment incentive system",
        "   (tax reduction, SGK premium support, OSB property tax); existing plants get none.",
        "4. **Freight.** Black Sea sea legs priced on one 2024 quote (a doubtful calibration, see",
        "   docs/lanes.md), border times and charges from CPMM 2023, the port of Baku at Alat.",
        "5. **Risk.** Each site draws its own wage, electricity, gas and land factors, so near-ties are",
        "   no longer certainties (before the next item, apparel's SEZ Turan and SEZ Ontustik, 0.06 %",
        "   apart, went from P(best) 100 % and 0 % to about even).",
        "6. **Zones.** SEZ Burabay is left out (no 2024-2026 source names it); each example gained a new",
        "   Turkish plant option. SEZ Ontustik is in Shymkent, not Turkistan Region (its coordinates lie",
        "   in the city, and after the 2018 split the region's governor said it stayed in the city), so",
        "   it takes Shymkent's wage (7.8 % above Turkistan's in the 2025 table of item 11): in apparel it",
        "   is still second, 1.7 % behind SEZ Turan.",
        "7. **Wages.** Almaty Region, Karaganda, Kostanay and Kyzylorda stopped taking the national",
        "   average wage (which every region outside the top five was below in 2025): each got an",
        "   estimate from its own Q3 2022 ratio to the national wage, 8-17 % lower. At that step SEZ",
        "   Alatau (Almaty Region) moved up two places in apparel and in construction materials, and SEZ",
        "   Saryarka (Karaganda) became the cheapest in more samples.",
        "8. **Jetisu, the 2026 tariffs and land.** Jetisu's wage became an estimate from its own Q1",
        "   2025 ratio (300,700 KZT instead of a news item's 340,000 for Q2; the Q2 reports of the",
        "   lowest regions disagree with each other and with the Q3 table), so SEZ Khorgos - Eastern",
        "   Gate became 3rd in apparel (it still is). The 2026-27 wholesale",
        "   gas caps replace 2025-26's (up 9-66 %, East Kazakhstan's unchanged), and Astana and Almaty",
        "   have their own 2026 electricity prices (32.74 and 43.13 KZT/kWh excl. VAT, read through",
        "   public code quoting the suppliers; the other regions keep 2025 tariffs). SEZ Alatau fell",
        "   back in apparel and in construction materials, where energy weighs more (6th there now).",
        "   Manisa has its own 2025 OSB land price (4,000 TL/m2), and the",
        "   median the other Turkish provinces take moves from 2,500 to 3,614 TL/m2 (Kayseri, Adana and",
        "   Manisa; İzmir's Kınık zone is closed to general industry), so the Turkish baselines cost a",
        "   little more.",
        "9. **The tenge.** Kazakh costs are converted at the National Bank's mean rate of January-October",
        "   2026 (474.59 KZT/USD), as Turkish costs are at the lira's 2026 mean, instead of the 2025",
        "   year-end rate (505.73): Kazakh wages, energy and land cost about 6.6 % more in dollars. With",
        "   the land changes of item 8, the recommended zone's saving over the Turkish baseline became",
        "   35.8, 34.2, 44.1 and 38.0 % in the four examples (36.6, 34.4, 44.4 and 38.3 % at the previous",
        "   regeneration, with the year-end rate and a land median of 3,057).",
        "10. **Uzbek inputs into Türkiye.** Türkiye's additional customs duty (İGV) applies to Uzbek goods",
        "   too (a developing country in its list pays the 'other countries' İGV for these headings):",
        "   the apparel example's Tashkent cotton fabric now pays 8 + 27 % into the Turkish plants",
        "   instead of 8 %, and SEZ Turan's saving over the Denizli plant went from 35.8 to 39.7 %.",
        "11. **Every region's own wage, from one table.** All 20 Kazakh units take their 2025 annual",
        "   average from one BNS table (element 5676), instead of Q3 2025 figures for ten and estimates",
        "   for the other ten. The series is about 7 % above the Q3 figures of the series with small",
        "   enterprises, and the regions' own figures replace estimates that were 2-5 % low (Aktobe,",
        "   Kostanay, Pavlodar, Karaganda). Savings fell to 38.2, 33.8, 43.6 and 37.3 %. Each site's own",
        "   wage is also less uncertain than an estimate, so P(best) rose for SEZ Turan (apparel 82 ->",
        "   92 %, construction materials 63 -> 72 %); SEZ Alatau is 4th in apparel.",
        "12. **Turkish rail distances.** Ankara-İzmit (485 km), Kayseri-Samsun (618) and Adana-Mersin (67)",
        "   come from the lines' km posts (docs/research/corridor.md), so some Turkish baselines pay more",
        "   freight: the savings were then 38.3, 34.0, 44.0 and 37.5 %.",
        "13. **Two corrections to the Turkish baselines, in opposite directions.** A Turkish manufacturer's",
        "   employer premiums are the 2026 statutory 23.75 % less the 5 points the Treasury pays for an",
        "   employer that pays on time (18.75 %; before, the statutory rate was charged), which makes",
        "   Turkish labour about 4 % cheaper. And an existing plant that cannot make what the markets buy",
        "   now pays for the capacity it lacks, at a new plant's capex per unit of capacity (the Denizli",
        "   plant makes 1.2 of the 3.0 million T-shirts, so it pays for 1.8 million of capacity, USD 3.6",
        "   million; before, it was costed as if it could make them all with no investment). The second",
        "   weighs more: the savings were then 40.0, 37.0, 46.0 and 39.1 %. The existing plants stay the",
        "   best Turkish options, ahead of the new ones.",
        "14. **SEZ reliefs last as long as the project's category allows.** Since 2024 the SEZ tax",
        "   reliefs run 7, 15 or 25 years by the project's cost in MCI (category A up to 3,000,000 MCI;",
        "   B up to 14,500,000, or from 1,000,000 for food, textiles, clothing, leather and electrical",
        "   goods; C above), not the plant's whole life. The T-shirt plant (6 M USD, about 658,000 MCI)",
        "   is in category A: it pays corporate and property tax in years 8-10, and SEZ Turan's saving",
        "   falls from 40.0 to 36.3 %. The other three are in category B, whose 15 years outlast their",
        "   plants, so they do not move.",
        "15. **An SEZ's advantages end with the zone.** Each zone is created for a term (sez.csv",
        "   `term_until`, from its decree or resolution): Astana - New City until 1 January 2027, the Park",
        "   of Innovative Technologies until 1 January 2028, Ontustik until 1 July 2030, NIPT until the end",
        "   of 2032, Khorgos - Eastern Gate until 2035, SEZ Turan until 2043. kopru had granted the tax",
        "   reliefs, free land and duty-free inputs for the plant's whole life. Counted from the plant's",
        "   first year (2027: the year of the pack's prices plus a year of construction), Ontustik's",
        "   reliefs last 3.5 years, so in apparel it falls from 2nd to 5th; Astana - New City's term ends",
        "   before the plant starts, so it costs what a plant in Astana does and leaves the top places in",
        "   all four examples; Khorgos - Eastern Gate's 8 years cut the 15 of a category B project (food",
        "   processing: 5th to 8th). Three terms were not found (Saryarka, Qyzyljar, Aktobe): those zones",
        "   keep their category's term, which favours them. SEZ Turan's term outlasts every plant, so the",
        "   recommendation and the savings do not move.",
        "16. **Denizli by rail through Eskişehir.** Eskişehir is a node where the line from Denizli by",
        "   Afyonkarahisar meets the Istanbul-Ankara line (426 km Denizli-Eskişehir, the Pamukkale",
        "   Express's distance); Denizli's freight to Istanbul had detoured by İzmir, Manisa and Ankara",
        "   (1,703 km, now 780). The Denizli plant, apparel's Turkish baseline, ships a little cheaper:",
        "   SEZ Turan's saving falls from 36.3 to 36.2 %.",
        "17. **Savings before profit tax, and SEZ incentives that rest on one word.** A reader of the",
        "   documents (the CFO review of 2026-12-05) found that a third of each headline saving is the",
        "   zones' profit-tax holiday, and that SEZ Turan, Khorgos, Alatau and three more zones match the",
        "   examples' sectors only through a general word in their priority lists ('manufacturing', or",
        "   'construction' for a tile maker). Nothing is re-costed: each recommendation now gives the saving",
        "   before profit tax too (apparel 26.6 %, appliances 28.6 %, construction materials 38.4 %, food",
        "   processing 27.2 %), marks such zones with '*', and says what the pick costs without its SEZ",
        "   incentives (its region's site, Turkistan Region: 20-28 % below the Turkish baseline) and which",
        "   site ranks first among those whose incentives need no such check (SEZ Ontustik in apparel, SEZ",
        "   Qyzyljar in food processing). Where the borrowed values overturn the pick (construction",
        "   materials, food processing), its first sentence now says so in every document.",
        "18. **The apparel fabric is knitted (HS 6006), not woven (5208).** Rates read for 6006 are the",
        "   same as for 5208 where it matters (Uzbek fabric: duty-free into Kazakhstan, 8 + 27 % into",
        "   Türkiye), so no figure moves.",
        "19. **Profit tax after depreciation, not after the capital charge.** The landed cost took the",
        "   profit tax on the margin after the whole capital charge (capex times the capital recovery",
        "   factor, a return on capital included), the appraisal's cash flows after straight-line",
        "   depreciation; no tax code deducts the return, so both now use depreciation (an OR review of",
        "   2026-12-05). Taxed sites pay a little more profit tax, the SEZs' exempt sites nothing more:",
        "   the savings after profit tax rise by 0.2-0.4 points (apparel 36.4 %), before it unchanged.",
        "   The existing plants' expansion is ramped up like a new plant, and their IRR is the",
        "   expansion's own (Denizli 99 % instead of 192 %).",
        "20. **The Khorgos zones inside Kazakhstan.** SEZ Khorgos - Eastern Gate and the ICBC sat on the",
        "   road-border node, so every lane to a Kazakh market crossed the Altynkol rail border (3.5",
        "   days); they now sit on a dry-port node beside the crossings, and Khorgos - Eastern Gate",
        "   comes second in apparel, nearer SEZ Turan (its P(best) in the risk run rises from about 3 %",
        "   to about 15 %).",
        "21. **An existing plant's expansion gets a Turkish incentive certificate.** Every example's",
        "   Turkish baseline is an existing plant expanded to what its markets buy, and the expansion",
        "   (tevsi) got no incentive. It now gets its province's certificate as a new plant would (an",
        "   assumption: Decision 9903's text on expansions was not at hand), the reduced profit tax and",
        "   the premium support on the expansion's share of the plant (60 % for Denizli), capped at 20 %",
        "   of its own capex: the baselines cost 0.5-1 % less and the savings fall by 0.4-0.6 points",
        "   (apparel 35.8 %); docs/research/turkiye_taxes_fx.md, ninth pass.",
        "22. **Inward processing: exports carry no duty on their inputs.** Both countries waive the",
        "   import duty on the inputs of goods a plant exports (Türkiye's Dahilde İşleme Rejimi, Decision",
        "   2005/8391; the EAEU's processing in the customs territory, Customs Code art. 163;",
        "   inward_processing.csv), and kopru charged it on every unit. Türkiye collects it back as a",
        "   compensatory levy (telafi edici vergi) on goods that enter the EU or an FTA partner under a",
        "   preference, so those keep it. The Denizli plant's T-shirts for the EAEU and Uzbekistan no longer",
        "   carry the 8 + 27 % on their Uzbek fabric (0.46 USD a shirt), and SEZ Turan's saving in apparel",
        "   falls from 35.8 to 31.9 % (appliances 36.8 to 36.3; the other two unchanged); a Kazakh plant",
        "   outside a zone exports to Türkiye and the EU without duty on its inputs too. A profile may",
        "   turn it off (inward_processing: false), for a firm that does not hold the authorisation.",
        "23. **Turkish working hours net of public holidays.** Türkiye's 195 hours a month (45 x 52 / 12)",
        "   counted public holidays as worked, Kazakhstan's working-time balance (165.33) did not: both",
        "   now leave them out (Türkiye 2026: 249.5 working days x 9 h / 12 = 187.1 h, Law 2429 and the",
        "   python-holidays calendar), so a Turkish hour costs about 4 % more. The Turkish baselines'",
        "   labour rises by as much, and the savings become 32.4, 36.4, 46.0 and 39.1 %.",
        "24. **Duty on the customs value, not on the plant's cost.** An ad valorem duty is charged on",
        "   the transaction value of the goods at the border, which includes the seller's margin; kopru",
        "   charged it on the plant's ex-works cost and freight. It now takes the delivered price less",
        "   the duty, price / (1 + rate) (WTO Customs Valuation Agreement art. 1; the inland freight",
        "   after the border is not deducted). Kazakh T-shirts sold in Türkiye pay 12 + 39 % of 3.97 USD",
        "   instead of 2.67, so for Türkiye a Turkish plant becomes the cheaper source at the margin;",
        "   Turkish goods pay more where the EAEU's duty is ad valorem. The savings become 29.6, 38.6,",
        "   47.4 and 40.7 %.",
        "25. **Wages of one year.** Kazakhstan's regional wages are 2025 annual averages, converted at",
        "   the tenge's 2026 rate beside Türkiye's 2026 wage; they are now brought to 2026 by the 2025",
        "   growth of the national average, +9.3 % (BNS; carried to 2026 as an assumption: the Ministry",
        "   of National Economy's forecast implies +18.4 %, the risk engine's spread covers both), and",
        "   the growth is listed among each Kazakh site's inputs. Kazakh labour costs 9.3 % more: the",
        "   savings become 28.5, 38.3, 47.1 and 40.2 %.",
        "26. **The first year of operation is 2028.** A plan on the prices of 2026 is decided at the",
        "   end of that year, so with 12 months of construction the plant first runs in 2028, not 2027",
        "   (item 15; a profile may set appraisal.first_year). Zones whose term ends first lose a year of",
        "   their advantages: Ontustik keeps 2.5 years, Khorgos - Eastern Gate 7, NIPT 5. SEZ Turan's",
        "   category A reliefs (7 years) end long before its zone (2043), so the savings do not move.",
        "27. **Prices of one year.** Like the wages of item 25, the tariffs and land prices of an",
        "   earlier year than the exchange rate were converted at the 2026 rate unchanged: Türkiye's",
        "   2025 gas tariff and 2024-2025 land prices, Kazakhstan's 2025 electricity tariff (which 16",
        "   regions borrow) and land prices. They are now brought to 2026 by the country's consumer price",
        "   inflation, December 2025 over December 2024 (TÜİK 30.89 %, BNS 12.3 %; carried to 2026 as an",
        "   assumption), listed among the site's inputs. Kostanay's 29.14 KZT/kWh of 2025 becomes 32.72,",
        "   beside Astana's 32.74 from July 2026; Turkish gas costs 30.9 % more, a lira land price one",
        "   or two years' inflation more. The savings become 28.6, 38.5, 47.9 and 40.5 %.",
        "28. **The Turkish rail rate and the Caspian ferry re-solved.** Turkish rail is what is left of",
        "   the 2018 Alat-Mersin BTK rate after the Azerbaijani and Georgian part; since the Alat-Tbilisi",
        "   edge lost the Baku-Alat 70 km, that part is USD 713, not 733, so Turkish rail is 0.462 USD per",
        "   TEU-km, not 0.448 (a data audit). The Caspian ferry rate, solved from the two 2020 Interrail",
        "   Tashkent-Derince through-tariffs, had drifted 2.5 % from one of them; solved again with",
        "   today's other legs it is 184 USD + 0.891 per TEU-km (was 161 + 1.10), and both tariffs are",
        "   reproduced. Routes across the Caspian cost a little less: the savings become 28.6, 38.5, 47.8",
        "   and 40.6 %.",
        "29. **The Turkish land stand-in in one year's lira.** The six provinces without an OSB price",
        "   of their own take the median of Kayseri's, Adana's and Manisa's; it was Adana's 3,614 TL/m2",
        "   of 2024 dated 2025. In 2025 lira Adana's is 4,730 (item 27's inflation), so the median is",
        "   Manisa's 4,000 (a diff review). Denizli's, Konya's and Gaziantep's land costs 10.7 % more:",
        "   the savings become 28.7, 38.5, 48.0 and 40.6 %.",
        "30. **The southern route through Iran.** The network had no route through Iran and",
        "   Turkmenistan, so 'around Russia' meant only the Caspian ferry (a manufacturer's review). It",
        "   now has the Turkish truckers' road (Gürbulak, Tabriz, Tehran, Mashhad, Sarakhs, Farap) and",
        "   the rail line over the Lake Van ferry and the Kazakhstan-Turkmenistan-Iran line, with CPMM's",
        "   border figures and Turkmenistan's fees (docs/research/corridor.md, last section). The three",
        "   ways to Türkiye cost about the same (Turkistan-Istanbul: USD 2,403 a TEU through Russia,",
        "   2,457 through Iran, 2,480 by the Middle Corridor), so SEZ Turan's goods keep the Russian",
        "   route, flagged; the Turkish baselines reach Central Asian markets a little more cheaply",
        "   through Iran, and the savings become 28.6, 38.3, 47.7 and 40.3 %.",
        "31. **The food example's inputs.** Its bakery fat can be bought locally or from Istanbul, each",
        "   site where it lands cheaper, and its packaging is freighted by the space it takes (0.5 l a",
        "   kg, the example's assumption): food's saving becomes 38.8 %.",
        "32. **Labour hours a unit.** A Kazakh plant was costed with the profile's hours, a Turkish",
        "   plant's: equal productivity, unstated. It now takes 1.2 times those hours (an assumption",
        "   between the two economy-wide comparisons of output per hour worked found, ILO 2024 1.02 and",
        "   The Economist 2024 1.37; no manufacturing comparison was found: docs/research/kz_regions.md,",
        "   eleventh pass). The risk engine draws it, and each plan says how many hours a unit the",
        "   Kazakh plant could take before the Turkish one came first (apparel: 3.15 times a Turkish",
        "   plant's). Kazakh labour costs 20 % more; the savings become 25.9, 37.6, 46.9 and 37.6 %. No",
        "   plan's recommendation changes; `kopru rank` on apparel (TOPSIS, default weights) now puts SEZ",
        "   Turan first, SEZ Aktobe before: the drawn hours widen every Kazakh site's cost tail, which",
        "   re-weighs the sites on that criterion.",
        "33. **One place, one draw.** A zone at its region's centre (SEZ Qyzyljar and North Kazakhstan",
        "   Region, both at Petropavl) drew its own wage, electricity, gas and land apart from the",
        "   region's, so two sites the plan costs alike were ranked by noise. Sites at one place now",
        "   share their draws; the risk figures above move by under a point (apparel's P(best) of SEZ",
        "   Turan 84.6 -> 85.1 %). Costs are unchanged.",
        "34. **Material prices drawn.** The draws moved every input but the price of what a plant buys,",
        "   the largest part of most products' cost. One factor now moves the price of every bought input",
        "   at its origin (lognormal, median 1, 10 % log-volatility, an assumption anchored on the World",
        "   Bank's Commodity Markets Outlook of April 2025): every site buys the same inputs, so it widens",
        "   every site's cost band and barely moves their order (apparel's P(best) of SEZ Turan 85.1 ->",
        "   84.8 %, construction materials' 80.7 -> 81.3 %). Costs are unchanged.",
        "35. **Profit tax without the opportunity costs.** The profit tax was taken on the margin after",
        "   owned land's price × WACC and the carrying cost of the goods in transit, which are returns on",
        "   capital, not expenses: no tax return deducts them (a CFO's review of 2026-12-07; the capital",
        "   charge's return was left out already, item 19). Both are still costs; the tax base adds them",
        "   back, in the landed cost, the risk engine and the appraisal's cash flows. Taxed sites with",
        "   land of their price pay a little more profit tax, the Turkish baselines most (apparel's",
        "   Denizli plant about 60,000 USD a year); the zones' exempt years nothing more. The savings",
        "   become 26.3, 37.9, 47.4 and 37.8 %, before profit tax unchanged.",
        "",
        "The recommendation did not change in any example: the Kazakh SEZs stay ahead of the Turkish",
        "baselines by 25 to 47 %, because their corporate income tax exemption, low wages and",
        "duty-free EAEU sales outweigh the dearer routes to Türkiye and the EU; the new Turkish",
        "incentives apply in full to new plants, which cost more than the existing ones, and to an",
        "expansion on its share only.",
        "",
        "**How much rests on borrowed values.** Each example's section now says what happens with every",
        "value kopru had to borrow or estimate at its unfavourable end (the recommended site's up, every",
        "other site's down: a region's own estimate by two of the risk engine's spreads, a borrowed value",
        "at least to the dearest or cheapest figure a region of the same country has of its own; a",
        "national value by rule not at all). SEZ Turan's electricity is the country row (Kostanay's 2025",
        "tariff, indexed to 2026) and its gas an estimate, so both are tried higher: at two of the risk",
        "engine's spreads (44.17 KZT/kWh, above Almaty's 2026 43.13) and at 1.5 times the gas estimate.",
        "In apparel and appliances SEZ Turan stays",
        "first. In construction materials and food processing, where energy weighs more, another zone",
        "would come first (electricity or gas alone is enough), but SEZ Turan would still be more than a",
        "third below the Turkish baseline: the borrowed figures decide which Kazakh zone, not whether",
        "Kazakhstan. Those are the figures to look up first (docs/research/kz_regions.md says where).",
        "",
    ]
    for name, data in before["examples"].items():
        lines += example_section(name, data)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
