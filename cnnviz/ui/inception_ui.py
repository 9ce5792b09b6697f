"""The inception module on the Architectures page: the naive module against the one with 1x1
bottlenecks, every multiplication count written out, the reduction widths on sliders."""

from __future__ import annotations

import streamlit as st

from cnnviz.course.course_plots import inception_figure
from cnnviz.course.coursestate import ArchState
from cnnviz.course.inception import InceptionWidths, Term, multiplications, out_channels, params_of, terms
from cnnviz.ui.architectures_page import PLOT_CONFIG, set_state
from cnnviz.ui.i18n import t

__all__ = ["inception_ui"]




def _on_widths() -> None:
    ss = st.session_state
    set_state(reduce3=int(ss["arch_r3"]), reduce5=int(ss["arch_r5"]), pool_proj=int(ss["arch_pp"]))


def _term_label(term: Term) -> str:
    if term.branch == "pool":
        return t("arch_inc_pool_proj")
    if term.k == 1 and term.branch != "1x1":
        return t("arch_inc_reduce", k=term.branch[0])
    return t("arch_inc_conv", k=term.k)


def _inception_version_ui(w: InceptionWidths, bottleneck: bool) -> int:
    st.markdown(t("arch_inc_bottleneck" if bottleneck else "arch_inc_naive"))
    found = terms(w, bottleneck)
    for term in found:
        st.markdown(f"{_term_label(term)}: `{term.product.text()}`")
    total = multiplications(w, bottleneck)
    st.markdown(t("arch_inc_total", sum=" + ".join(f"{x.product.value:,}" for x in found), total=f"{total:,}",
                  millions=f"{total / 1e6:,.0f}"))
    st.caption(t("arch_inc_shape", params=f"{params_of(w, bottleneck):,}", c=out_channels(w, bottleneck),
                 side=w.side))
    return total


def inception_ui(s: ArchState) -> None:
    w = InceptionWidths(reduce3=s.reduce3, reduce5=s.reduce5, pool_proj=s.pool_proj)
    with st.container(key="arch_inception"):
        st.subheader(t("arch_inc_header"))
        st.markdown(t("arch_inc_intro", side=w.side, c=w.c_in, n1=w.n1x1, n3=w.n3x3, n5=w.n5x5))
        cols = st.columns(3)
        for col, key, label in zip(cols, ("arch_r3", "arch_r5", "arch_pp"),
                                   (t("arch_inc_r3"), t("arch_inc_r5"), t("arch_inc_pp"))):
            col.slider(label, 1, 256, key=key, on_change=_on_widths)
        naive_col, bottleneck_col = st.columns(2, gap="large")
        with naive_col:
            naive = _inception_version_ui(w, False)
        with bottleneck_col:
            reduced = _inception_version_ui(w, True)
        st.markdown(t("arch_inc_ratio", ratio=f"{naive / reduced:.1f}", saved=f"{1 - reduced / naive:.0%}"))
        versions = {t("arch_inc_naive_short"): _by_branch(w, False), t("arch_inc_bottleneck_short"): _by_branch(w, True)}
        st.plotly_chart(inception_figure(versions, t("arch_inc_axis")), key="arch_inc_bars", config=PLOT_CONFIG)
        st.caption(t("arch_inc_course"))


def _by_branch(w: InceptionWidths, bottleneck: bool) -> dict[str, int]:
    out: dict[str, int] = {}
    for term in terms(w, bottleneck):
        label = t("arch_inc_pool_short") if term.branch == "pool" else term.branch.replace("x", "×")
        out[label] = out.get(label, 0) + term.product.value
    return out
