#!/usr/bin/env python3
"""Expected PREDICT values for the EarlyBreast tests (self-consistency, not published outputs).

An independent Python port of the published PREDICT equations, written from docs/domain/oncology.md §5.2-5.4 and the
transcriptions in ../shared/data/predict (predict_v2.1_model.json, predict_v3.2_model.json, coefficients_v3.csv; the
copies next to this script are verbatim). It follows the authors' R code structure (WintonCentre/predict-v30-r
R/benefits21.R, R/benefits32.R) in matrix form: annual baseline increments -> cumsum -> survival -> annual risks ->
breast/other split in proportion to annual breast and other mortality. The Swift implementation loops year by year
instead, so agreement checks both. Checked here against the one published per-patient vector we found: the Winton
Centre's own cljs test (predict-v21-cljs test/predict/models/predict_test.cljs, `cljs-predict-test`), to 1e-15.

Run:  python3 predict_reference.py > predict_reference_cases.json   (needs numpy)
"""
import csv, json, math, os, sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
T = np.arange(1, 16, dtype=float)
HORIZONS = [5, 10, 15]


def diffs(cum):
    out = cum.copy()
    out[1:] = cum[1:] - cum[:-1]
    return out


def split(base_br, base_oth, pi_rx, mi_rx):
    m_oth = base_oth * np.exp(mi_rx)
    s_oth = np.exp(-np.cumsum(m_oth))
    m_oth_risk = diffs(1 - s_oth)
    m_br = base_br * np.exp(pi_rx)
    s_br = np.exp(-np.cumsum(m_br))
    m_br_risk = diffs(1 - s_br)
    m_all = diffs(1 - s_oth * s_br)
    pred_br = m_br_risk / (m_br_risk + m_oth_risk) * m_all
    cum_br = np.cumsum(pred_br)
    cum_oth = np.cumsum(m_all - pred_br)
    return dict(os=100 * (1 - (cum_br + cum_oth)), br=100 * cum_br, oth=100 * cum_oth)


def code_flags(code):
    return dict(r=code.startswith('r'), h='h' in code, h10='h10' in code, c='c' in code, t='t' in code, b='b' in code)


def screen_value(detection):
    return {'screening': 1.0, 'symptomatic': 0.0, 'unknown': 0.204}[detection]


def status(value):
    return {'positive': 1, 'negative': 0, 'unknown': 9}[value]


def v21_curve(p, code, generation):
    f = code_flags(code)
    er, her2, ki67 = status(p['er']), status(p.get('her2', 'unknown')), status(p.get('ki67', 'unknown'))
    age, size, nodes = p['age'], p['tumourSizeMM'], p['positiveNodes']
    grade = p.get('grade') or 2.13
    screen = screen_value(p.get('detection', 'unknown'))
    if er == 1:
        pi = (34.53642 * ((age / 10) ** -2 - .0287449295) - 34.20342 * ((age / 10) ** -2 * math.log(age / 10) - .0510121013)
              + 0.7530729 * (math.log(size / 100) + 1.545233938) + 0.7060723 * (math.log((nodes + 1) / 10) + 1.387566896)
              + 0.746655 * grade - 0.22763366 * screen)
        pi += 0.14904 if ki67 == 1 else (-0.11333 if ki67 == 0 else 0)
    else:
        gv = 1 if grade in (2, 3) else 0   # R: grade==2 || grade==3 (unknown 2.13 -> 0)
        pi = (0.0089827 * (age - 56.3254902) + 2.093446 * ((size / 100) ** .5 - .5090456276)
              + .6260541 * (math.log((nodes + 1) / 10) + 1.086916249) + 1.129091 * gv)
    pi += 0.2413 if her2 == 1 else (-0.0762 if her2 == 0 else 0)
    mi = 0.0698252 * ((age / 10) ** 2 - 34.23391957)
    rx = 0.0
    if f['h'] and er == 1: rx += -0.3857
    if f['c']: rx += {2: -.248, 3: -.446}[generation]
    if f['t'] and her2 == 1: rx += -.3567
    if f['b']: rx += -0.198
    base_oth = diffs(np.exp(-6.052919 + 1.079863 * np.log(T) + .3255321 * T ** .5))
    if er == 1:
        base_br = diffs(np.exp(0.7424402 - 7.527762 / T ** .5 - 1.812513 * np.log(T) / T ** .5))
    else:
        base_br = diffs(np.exp(-1.156036 + 0.4707332 / T ** 2 - 3.51355 / T))
    return split(base_br, base_oth, np.full(15, pi + rx), np.full(15, mi))


COEF = {}
with open(os.path.join(HERE, 'coefficients_v3.csv')) as fh:
    for row in csv.DictReader(fh):
        COEF[row['variable']] = float(row['beta'])

HER2_POS_ER_POS = [0.608, 0.532, 0.457, 0.382, 0.307, 0.231, 0.156, 0.081, 0.006, 0, 0, 0, 0, 0, 0]
HER2_NEG_ER_POS = [-0.053, -0.046, -0.040, -0.033, -0.027, -0.020, -0.014, -0.007, 0, 0, 0, 0, 0, 0, 0]


def v32_curve(p, code, generation):
    k, f = COEF, code_flags(code)
    er, her2, ki67, pr = status(p['er']), status(p.get('her2', 'unknown')), status(p.get('ki67', 'unknown')), status(p.get('pr', 'unknown'))
    age, size, nodes = p['age'], p['tumourSizeMM'], p['positiveNodes']
    grade = p.get('grade') or 2.13        # v3.2 uses the grade itself in ER- disease too
    screen = screen_value(p.get('detection', 'unknown'))
    a = (age - 24) / 100
    if er == 1:
        pi = (k['ag1_er1'] * a ** -0.5 + k['ag2_er1'] * a ** 2 + k['sz1_er1'] * (1 - math.exp(-size / 20))
              + k['nd1_er1'] * math.log(nodes + 1) + k['gr1_er1'] * grade + k['sc1_er1'] * screen + k['yr1_er1'] * 17 + 0.70)
        her2v = np.array(HER2_POS_ER_POS if her2 == 1 else (HER2_NEG_ER_POS if her2 == 0 else [0.0] * 15))
        pi += 0.14904 if ki67 == 1 else (-0.11333 if ki67 == 0 else 0)
        pi += -0.0619 if pr == 1 else (0.2624 if pr == 0 else 0)
    else:
        pi = (k['ag1_er0'] * a + k['ag2_er0'] * a * math.log(a) + k['sz1_er0'] * math.log(size) + k['nd1_er0'] * math.log(nodes + 1)
              + k['gr1_er0'] * grade + k['sc1_er0'] * screen + k['yr1_er0'] * 17 + 0.55)
        her2v = np.full(15, 0.2316 if her2 == 1 else (-0.08589 if her2 == 0 else 0.0))
        pi += -0.2231 if pr == 1 else (0.0296 if pr == 0 else 0)
    smoker = math.log(1.25 / 1.025) if p.get('currentSmoker') else math.log(1 / 1.025)
    mi = k['ag_ot_ea.beta.1'] * a ** 3 + k['ag_ot_ea.beta.2'] * a ** 3 * math.log(a) + k['yr_ot_ea.beta'] * 17 - 0.062 + smoker
    h = -0.3857 if (f['h'] and er == 1) else 0.0
    rx = np.full(15, h)
    if f['h10'] and h != 0:               # R: h10 <- if (h == 0) 0 else c(rep(h, 10), rep(-.301 + h, 5))
        rx[10:] += -0.301
    if f['c']: rx += {2: -.248, 3: -.446}[generation]
    if f['t'] and her2 == 1: rx += -.3567
    if f['b']: rx += -0.198
    if f['r']: rx += math.log(0.82)
    oth = 0.0
    if f['c']: oth += math.log(1.2)
    if f['r']: oth += math.log(1.02) * p.get('heartDoseGy', 0)
    base_oth = diffs(np.exp(k['h_ot_i'] + k['h_ot_t1'] * np.log(T / 10) + k['h_ot_t2'] * (T / 10)))
    if er == 1:
        base_br = diffs(np.exp(k['h1_br_i'] + k['h1_br_t1'] * (T / 10) ** -0.5 + k['h1_br_t2'] * (T / 10) ** -0.5 * np.log(T / 10)))
    else:
        base_br = diffs(np.exp(k['h0_br_i'] + k['h0_br_t1'] * (T / 10) ** -1 + k['h0_br_t2'] * (T / 10) ** -1 * np.log(T / 10)))
    return split(base_br, base_oth, pi + her2v + rx, np.full(15, mi + oth))


GEN = {'none': 0, 'second': 2, 'third': 3}

# name, input (Swift PredictInput JSON), expected ladder codes (what should be shown), expected exclusions,
# and the code of the rung the chemotherapy options are added to.
CASES = [
    ('v2.1 Winton cljs reference patient (age 25, 2 mm, ER+ HER2+ Ki67+, screen)',
     dict(age=25, tumourSizeMM=2, grade=1, positiveNodes=2, er='positive', her2='positive', ki67='positive', detection='screening',
          menopause='postmenopausal', endocrine=True, chemotherapy='third', trastuzumab=True, bisphosphonates=True),
     ['h', 'hc', 'hct', 'hctb'], [], 'h'),
    ('v2.1 ER+ HER2- 50 y, 1 node, 2nd-gen chemo, bisphosphonates',
     dict(age=50, tumourSizeMM=20, grade=2, positiveNodes=1, er='positive', her2='negative', detection='screening',
          menopause='postmenopausal', endocrine=True, chemotherapy='second', bisphosphonates=True),
     ['h', 'hc', 'hcb'], [], 'h'),
    ('v2.1 ER- HER2+ premenopausal: bisphosphonates excluded',
     dict(age=40, tumourSizeMM=30, grade=3, positiveNodes=3, er='negative', her2='positive', detection='symptomatic',
          menopause='premenopausal', chemotherapy='third', trastuzumab=True, bisphosphonates=True),
     ['c', 'ct'], ['bisphosphonates'], 's'),
    ('v2.1 ER- unknown grade (term 0), unknown detection, Ki-67 given but ignored',
     dict(age=60, tumourSizeMM=25, positiveNodes=0, er='negative', her2='negative', ki67='positive', chemotherapy='third'),
     ['c'], [], 's'),
    ('v2.1 ER+ unknown grade/detection/HER2: trastuzumab excluded',
     dict(age=70, tumourSizeMM=15, positiveNodes=0, er='positive', ki67='positive', menopause='postmenopausal', endocrine=True,
          chemotherapy='second', trastuzumab=True, bisphosphonates=True),
     ['h', 'hc', 'hcb'], ['trastuzumab'], 'h'),
    ('v2.1 age 85 boundary, 12 nodes, 60 mm',
     dict(age=85, tumourSizeMM=60, grade=3, positiveNodes=12, er='positive', her2='positive', ki67='negative', detection='symptomatic',
          endocrine=True, chemotherapy='third', trastuzumab=True),
     ['h', 'hc', 'hct'], [], 'h'),
    ('v2.1 ER- no treatment selected',
     dict(age=33, tumourSizeMM=8, grade=1, positiveNodes=0, er='negative', her2='negative', detection='screening'),
     [], [], 's'),
    ('v2.1 ER+ premenopausal endocrine only',
     dict(age=45, tumourSizeMM=12, grade=1, positiveNodes=0, er='positive', her2='negative', ki67='negative', detection='symptomatic',
          menopause='premenopausal', endocrine=True),
     ['h'], [], 'h'),
    ('v3.2 ER+ HER2+ all treatments, radiotherapy 2 Gy',
     dict(version='3.2', age=55, tumourSizeMM=25, grade=2, positiveNodes=2, er='positive', her2='positive', ki67='positive', pr='positive',
          detection='symptomatic', menopause='postmenopausal', radiotherapy=True, heartDoseGy=2, endocrine=True, chemotherapy='third',
          trastuzumab=True, bisphosphonates=True),
     ['r', 'rh', 'rhc', 'rhct', 'rhctb'], [], 'rh'),
    ('v3.2 ER+ PR- current smoker, 10-year endocrine, 2nd-gen chemo',
     dict(version='3.2', age=62, tumourSizeMM=18, grade=2, positiveNodes=1, er='positive', her2='negative', pr='negative',
          detection='screening', menopause='postmenopausal', currentSmoker=True, endocrine=True, extendedEndocrine=True,
          chemotherapy='second'),
     ['h10', 'h10c'], [], 'h10'),
    ('v3.2 ER- PR- HER2- unknown grade (2.13 used), 4 nodes',
     dict(version='3.2', age=45, tumourSizeMM=30, positiveNodes=4, er='negative', her2='negative', pr='negative', detection='symptomatic',
          menopause='premenopausal', chemotherapy='third'),
     ['c'], [], 's'),
    ('v3.2 ER- HER2+ radiotherapy 5 Gy; endocrine and 10-year endocrine do nothing',
     dict(version='3.2', age=50, tumourSizeMM=22, grade=3, positiveNodes=0, er='negative', her2='positive', pr='positive',
          radiotherapy=True, heartDoseGy=5, endocrine=True, extendedEndocrine=True, chemotherapy='third', trastuzumab=True),
     ['r', 'rc', 'rct'], ['endocrine'], 'r'),
    ('v3.2 ER+ all unknown, heart dose without radiotherapy ignored',
     dict(version='3.2', age=30, tumourSizeMM=40, positiveNodes=6, er='positive', menopause='premenopausal', endocrine=True,
          chemotherapy='third', heartDoseGy=8),
     ['h', 'hc'], [], 'h'),
]


def outcomes(curve):
    return [dict(years=y, overallSurvival=curve['os'][y - 1], breastCancerDeaths=curve['br'][y - 1], otherCauseDeaths=curve['oth'][y - 1])
            for y in HORIZONS]


def main():
    out = []
    for name, p, ladder, excluded, before_chemo in CASES:
        fn = v32_curve if p.get('version') == '3.2' else v21_curve
        gen = GEN[p.get('chemotherapy', 'none')]
        case = dict(name=name, input=p, ladder=ladder, excluded=excluded,
                    surgeryOnly=outcomes(fn(p, 's', 0)),
                    regimens={code: outcomes(fn(p, code, gen)) for code in ladder},
                    chemotherapyOptions={})
        for label, g in (('second', 2), ('third', 3)):
            code = (before_chemo if before_chemo != 's' else '') + 'c'
            case['chemotherapyOptions'][label] = dict(regimen=code, before=before_chemo, outcomes=outcomes(fn(p, code, g)),
                                                      beforeOutcomes=outcomes(fn(p, before_chemo, gen)))
        out.append(case)
    json.dump(dict(
        generatedBy='Tests/EarlyBreastTests/Fixtures/predict_reference.py (independent Python port of oncology.md §5.2-5.4; self-consistency)',
        cases=out), sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    # Guard: the port must reproduce the authors' published cljs vector before it is trusted.
    ref = dict(age=25, tumourSizeMM=2, grade=1, positiveNodes=2, er='positive', her2='positive', ki67='positive', detection='screening')
    benefit = (v21_curve(ref, 'hctb', 3)['os'] - v21_curve(ref, 's', 0)['os']) / 100
    cljs = [0.0014235998353466783, 0.005289672012324664, 0.010759822493926374, 0.017200767587482346, 0.024213922849740006,
            0.0315433093601687, 0.0390198769320368, 0.046529416795973236, 0.05399349285357215, 0.06135767218134225,
            0.0685840054034158, 0.07564607730104955, 0.08252566579852982, 0.08921043783391924, 0.09569233116719345]
    assert max(abs(benefit - np.array(cljs))) < 1e-12, 'port does not reproduce the published cljs vector'
    main()
