"""SPSS and Stata files read back exactly in R with haven, as the university's researchers read them.

Runs where R and haven are installed (`.ci/run` installs Debian's r-cran-haven).
"""

import shutil
import subprocess

import pandas as pd
import pytest

from app.exports import export_survey

from .test_stats_files import STATS

pytestmark = pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")

READ_BACK = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(haven))
data <- if (grepl("dta$", args[1])) read_dta(args[1]) else read_sav(args[1], user_na = TRUE)
show <- function(x) {
  if (is.character(x)) return(x)
  tags <- if (is.double(x)) na_tag(x) else rep(NA, length(x))
  values <- as.character(as.vector(unclass(x)))
  ifelse(!is.na(tags), paste0(".", tags), ifelse(is.na(values), "", values))
}
out <- as.data.frame(lapply(data, show), stringsAsFactors = FALSE)
write.csv(out, args[2], row.names = FALSE, fileEncoding = "UTF-8", na = "")
"""

PERSIAN = ("نظر من درباره‌ی سطل‌های زباله " * 80)[:2000]


@pytest.mark.parametrize("fmt", ["sav", "zsav", "dta"])
def test_r_haven_reads_long_texts_codes_and_exact_values(
    make_app, write_survey, surveys_dir, add, tmp_path, fmt
):
    write_survey(STATS)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add("stats", age="no_answer", story=PERSIAN)
        add("stats", age=2, story="-2")
        add("stats", story="+46 70 123 45 67")
        path = export_survey("stats", fmt, out=tmp_path / f"stats.{fmt}").path
    script = tmp_path / "read.R"
    script.write_text(READ_BACK, encoding="utf-8")
    out = tmp_path / "back.csv"
    subprocess.run(
        ["Rscript", str(script), str(path), str(out)], check=True, capture_output=True, timeout=120
    )
    back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8")
    assert back["story"].tolist() == [PERSIAN, "-2", "+46 70 123 45 67"]
    missing = ".a" if fmt == "dta" else "-1"  # Stata's extended missing .a; SPSS's declared -1
    assert back["age"].tolist() == [missing, "2", ""]
