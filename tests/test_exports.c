/* test_exports: what an analyst loads from `debrief csv` equals what was answered (issue 16,
 * points 2 and 6).
 *
 * The data (built in memory) hold what breaks exports: formula-like session labels and
 * texts (= + - @), apostrophes a participant really typed (also two, and before a formula
 * character), a text "-9" that must not read as a code, umlauts and ß, line breaks,
 * backslashes, quotes and commas, leading spaces, and declined, skipped and not-shown
 * answers in every kind of question. Each mode loads the export the way an analyst would
 * and compares every cell with the answers (missing answers as their codes):
 *
 *   test_exports csv    parses FILE.csv (with and without the BOM) and FILE.spss.csv
 *   test_exports r      runs FILE.R with Rscript (R from Debian: r-base-core)
 *   test_exports spss   runs FILE.sps with pspp (Debian: pspp); SPSS pads strings, so a
 *                       text's trailing spaces are not compared
 *   test_exports xlsx   reads FILE.xlsx back (zip + the sheet's XML)
 *
 * Without Rscript or pspp on the machine the mode exits 77, which ctest reports as SKIPPED
 * (tools/install-deps --test installs both).
 */
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "analysis.h"
#include "export.h"
#include "fsutil.h"
#include "sbuf.h"
#include "testlib.h"

static Survey *g_survey;
static char g_dir[128];

typedef struct Row {
    int session, unc, emp, role, topics; /* as test_disclosure: 0 none, -1 declined */
    const char *why, *comment;           /* NULL none, "" declined is not possible: texts */
} Row;

static const char *const g_sessions[] = {
    "=cmd|' /C calc'!A0", "'Quoted' group", "+plus -minus", "@Köln, Grüße", "Plain group",
};

/* why is shown only when uncertainty is 1 or 2. */
static const Row g_rows[] = {
    {0, 1, 4, 1, 1, "=SUM(A1:A9)", "'I typed this apostrophe"},
    {0, 2, -1, 2, 3, "''two apostrophes", "'=not a formula either"},
    {0, 5, 5, -1, -1, NULL, "-9"},
    {1, 4, 3, 1, 0, NULL, "'-9"},
    {1, 1, 2, 0, 6, "line one\nline two", "back\\slash and \\n that is no line break"},
    {1, 3, 0, 2, 2, NULL, "\"quoted\", with commas, and Grüße aus Köln ß"},
    {2, 2, 4, 1, 4, "@home", " leading space"},
    {2, -1, 4, 1, 1, NULL, "+1 for this"},
    {3, 5, 5, 1, 7, NULL, "tab-free but ümlaut: äöü ÄÖÜ"},
    {3, 0, 0, 0, 0, NULL, NULL},
    {4, 1, 1, 2, 5, "-", "\n"},
    {4, 4, 4, 1, 1, NULL, "trailing\n\nlines"},
};
#define N_ROWS ((int)(sizeof g_rows / sizeof g_rows[0]))

typedef struct Data {
    AdbData d;
    AdbSurveyData sd;
} Data;

static void build(Data *x)
{
    memset(x, 0, sizeof *x);
    AdbSurveyData *sd = &x->sd;
    int n_sessions = (int)(sizeof g_sessions / sizeof g_sessions[0]);
    sd->survey = g_survey;
    sd->n_sessions = n_sessions;
    sd->sessions = calloc((size_t)n_sessions, sizeof *sd->sessions);
    for (int i = 0; i < n_sessions; i++) {
        snprintf(sd->sessions[i].label, sizeof sd->sessions[i].label, "%s", g_sessions[i]);
        snprintf(sd->sessions[i].date, sizeof sd->sessions[i].date, "2024-06-%02d",
                 (3 + i) % 28 + 1);
    }
    int nq = g_survey->n_questions;
    sd->n_responses = N_ROWS;
    sd->responses = calloc(N_ROWS, sizeof *sd->responses);
    sd->cells = calloc((size_t)N_ROWS * (size_t)nq, sizeof *sd->cells);
    int qs[6] = {
        survey_find_question(g_survey, "uncertainty"), survey_find_question(g_survey, "empathy"),
        survey_find_question(g_survey, "role"),        survey_find_question(g_survey, "topics"),
        survey_find_question(g_survey, "why"),         survey_find_question(g_survey, "comment")};
    for (int i = 0; i < N_ROWS; i++) {
        const Row *w = &g_rows[i];
        AdbResponse *r = &sd->responses[i];
        r->session = w->session;
        snprintf(r->lang, sizeof r->lang, "%s", i % 3 ? "en" : "de");
        r->cells = &sd->cells[(size_t)i * (size_t)nq];
        int v[4] = {w->unc, w->emp, w->role, w->topics};
        for (int j = 0; j < 6; j++)
            r->cells[qs[j]].shown = 1;
        for (int j = 0; j < 4; j++) {
            AdbCell *c = &r->cells[qs[j]];
            if (v[j] < 0) {
                c->state = ANSWER_DECLINED;
            } else if (v[j] > 0) {
                c->state = ANSWER_GIVEN;
                c->value = j < 2 ? v[j] : v[j] - 1;
                c->chosen = j == 3 ? (uint32_t)v[j] : 0;
            }
        }
        /* why: shown only when uncertainty is 1 or 2 */
        r->cells[qs[4]].shown = w->unc == 1 || w->unc == 2;
        const char *texts[2] = {w->why, w->comment};
        for (int j = 0; j < 2; j++) {
            if (!texts[j])
                continue;
            AdbCell *c = &r->cells[qs[4 + j]];
            c->state = ANSWER_GIVEN;
            c->text = strdup(texts[j]);
        }
    }
    x->d.n_surveys = 1;
    x->d.surveys = sd;
}

static void unbuild(Data *x)
{
    int nq = g_survey->n_questions;
    for (int i = 0; i < N_ROWS * nq; i++)
        free(x->sd.cells[i].text);
    free(x->sd.sessions);
    free(x->sd.responses);
    free(x->sd.cells);
}

/* ------------------------------------------------------------ the expected cells */

/* One cell as the comparison writes it: \ as \\, line feed as \n, tab as \t. */
static void esc(Sbuf *b, const char *s, int rtrim)
{
    size_t n = strlen(s);
    while (rtrim && n > 0 && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            sbuf_puts(b, "\\\\");
        else if (s[i] == '\n')
            sbuf_puts(b, "\\n");
        else if (s[i] == '\t')
            sbuf_puts(b, "\\t");
        else
            sbuf_add(b, &s[i], 1);
    }
}

/* Every row in export order, every column: the value, or a missing answer's code. */
static char *expected(const Data *x, int rtrim)
{
    ExportVar *vars;
    int n_vars, *order;
    DbError err;
    CHECK(export_vars(g_survey, ANALYSIS_CSV_ALL, &vars, &n_vars, &err) == DB_OK);
    CHECK(export_order(&x->sd, ANALYSIS_CSV_ALL, &order, &err) == DB_OK);
    Sbuf b = {0};
    char code[16];
    for (int r = 0; r < N_ROWS; r++) {
        for (int i = 0; i < n_vars; i++) {
            const char *text;
            int number;
            if (i)
                sbuf_puts(&b, "\t");
            if (export_cell(&x->sd, &x->sd.responses[order[r]], &vars[i], &text, code, sizeof code,
                            &number))
                sbuf_printf(&b, "%d", number);
            else
                esc(&b, text, rtrim);
        }
        sbuf_puts(&b, "\n");
    }
    free(vars);
    free(order);
    return sbuf_take(&b);
}

static int same(const char *what, const char *got, const char *want)
{
    if (got && want && strcmp(got, want) == 0)
        return 1;
    fprintf(stderr, "  %s differs from the answers\n  got:\n%s\n  expected:\n%s\n", what,
            got ? got : "(nothing)", want ? want : "(nothing)");
    return 0;
}

static char *slurp(const char *name)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    uint8_t *data = NULL;
    size_t len = 0;
    DbError err;
    if (fs_read_file(path, 1 << 26, 0, &data, &len, &err) != DB_OK)
        return NULL;
    return (char *)data;
}

static void export_all(const Data *x, const char *name, int bom)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s.csv", g_dir, name);
    AnalysisCsvOptions o = {path, ANALYSIS_CSV_ALL, bom};
    int64_t rows;
    DbError err;
    int rc = analysis_csv_write(&x->sd, &o, &rows, &err);
    if (rc != DB_OK)
        fprintf(stderr, "csv: %s\n", err.msg);
    CHECK(rc == DB_OK && rows == N_ROWS);
}

/* ------------------------------------------------------------ CSV (RFC 4180) */

/* Parses CSV text into the comparison form. unguard: remove one leading ' from the text
 * columns (cols marked in is_text); spss_esc: undo \n and \\ in them. */
static char *parse_csv(const char *s, const int *is_text, int unguard, int spss_esc)
{
    Sbuf b = {0};
    if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
        s += 3;
    s = strchr(s, '\n'); /* the header */
    if (!s)
        return NULL;
    s++;
    int col = 0;
    while (*s) {
        Sbuf f = {0};
        int quoted = *s == '"';
        if (quoted) {
            for (s++; *s; s++) {
                if (*s == '"' && s[1] == '"')
                    sbuf_add(&f, s++, 1);
                else if (*s == '"')
                    break;
                else
                    sbuf_add(&f, s, 1);
            }
            if (*s == '"')
                s++;
        } else {
            while (*s && *s != ',' && *s != '\r' && *s != '\n')
                sbuf_add(&f, s++, 1);
        }
        const char *v = f.data ? f.data : "";
        if (is_text[col] && unguard && v[0] == '\'')
            v++;
        if (col)
            sbuf_puts(&b, "\t");
        if (is_text[col] && spss_esc) {
            Sbuf u = {0};
            for (const char *p = v; *p; p++) {
                if (p[0] == '\\' && p[1] == 'n')
                    sbuf_puts(&u, "\n"), p++;
                else if (p[0] == '\\' && p[1] == '\\')
                    sbuf_puts(&u, "\\"), p++;
                else
                    sbuf_add(&u, p, 1);
            }
            esc(&b, u.data ? u.data : "", 0);
            sbuf_free(&u);
        } else {
            esc(&b, v, 0);
        }
        sbuf_free(&f);
        col++;
        if (*s == ',') {
            s++;
        } else {
            if (*s == '\r')
                s++;
            if (*s == '\n')
                s++;
            sbuf_puts(&b, "\n");
            col = 0;
        }
    }
    return sbuf_take(&b);
}

static int *text_columns(void)
{
    ExportVar *vars;
    int n;
    DbError err;
    CHECK(export_vars(g_survey, ANALYSIS_CSV_ALL, &vars, &n, &err) == DB_OK);
    int *t = calloc((size_t)n + 1, sizeof *t);
    for (int i = 0; i < n; i++)
        t[i] = vars[i].q == EXPORT_LABEL ||
               (vars[i].q >= 0 && g_survey->questions[vars[i].q].kind == SURVEY_TEXT);
    free(vars);
    return t;
}

static void test_csv(const Data *x)
{
    char *want = expected(x, 0);
    int *is_text = text_columns();
    for (int bom = 0; bom <= 1; bom++) {
        export_all(x, bom ? "bom" : "plain", bom);
        char *csv = slurp(bom ? "bom.csv" : "plain.csv");
        CHECK(csv && (strncmp(csv, "\xef\xbb\xbf", 3) == 0) == bom);
        char *got = csv ? parse_csv(csv, is_text, 1, 0) : NULL;
        CHECK(same(bom ? "bom.csv" : "plain.csv", got, want));
        /* every formula-like cell is guarded (a spreadsheet shows it as text) */
        CHECK(csv && strstr(csv, "\"'=cmd|' /C calc'!A0\"") && strstr(csv, "\"'=SUM(A1:A9)\"") &&
              strstr(csv, "\"''I typed this apostrophe\"") && strstr(csv, "\"'-9\"") &&
              strstr(csv, "\"''-9\""));
        free(got);
        free(csv);
    }
    char *spss = slurp("plain.spss.csv");
    char *got = spss ? parse_csv(spss, is_text, 1, 1) : NULL;
    CHECK(same("plain.spss.csv", got, want));
    CHECK(spss && strstr(spss, "line one\\nline two") != NULL);
    free(got);
    free(spss);
    free(is_text);
    free(want);
}

/* ------------------------------------------------------------ R and PSPP */

static int have(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

static int run_in_dir(const char *what)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s", g_dir, what);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_r(const Data *x)
{
    char *want = expected(x, 0);
    static const char dump[] =
        "esc <- function(s) { s <- gsub(\"\\\\\", \"\\\\\\\\\", s, fixed = TRUE);\n"
        "  s <- gsub(\"\\n\", \"\\\\n\", s, fixed = TRUE); gsub(\"\\t\", \"\\\\t\", s, fixed = "
        "TRUE) }\n"
        "codes <- c(declined = \"-9\", skipped = \"-8\", \"not shown\" = \"-7\")\n"
        "vars <- readLines(\"vars.txt\", encoding = \"UTF-8\")\n"
        "out <- character(0)\n"
        "for (i in seq_len(nrow(d))) {\n"
        "  cells <- character(0)\n"
        "  for (v in vars) {\n"
        "    x <- d[[v]][i]; m <- d[[paste0(sub(\"__.*$\", \"\", v), \"_missing\")]]\n"
        "    if (!is.null(m) && !is.na(m[i])) cell <- codes[[as.character(m[i])]]\n"
        "    else if (is.factor(x)) cell <- as.character(as.integer(x))\n"
        "    else if (inherits(x, \"Date\")) cell <- format(x)\n"
        "    else cell <- as.character(x)\n"
        "    cells <- c(cells, esc(cell))\n"
        "  }\n"
        "  out <- c(out, paste(cells, collapse = \"\\t\"))\n"
        "}\n"
        "con <- file(\"r-dump.txt\", \"wb\"); writeLines(enc2utf8(out), con, useBytes = TRUE)\n"
        "close(con)\n";
    ExportVar *vars;
    int n;
    DbError err;
    CHECK(export_vars(g_survey, ANALYSIS_CSV_ALL, &vars, &n, &err) == DB_OK);
    Sbuf v = {0};
    for (int i = 0; i < n; i++)
        sbuf_printf(&v, "%s\n", vars[i].name);
    free(vars);
    char path[300];
    snprintf(path, sizeof path, "%s/vars.txt", g_dir);
    CHECK(fs_write_atomic(path, v.data, v.len, 0600, &err) == DB_OK);
    sbuf_free(&v);
    snprintf(path, sizeof path, "%s/dump.R", g_dir);
    CHECK(fs_write_atomic(path, dump, sizeof dump - 1, 0600, &err) == DB_OK);
    for (int bom = 0; bom <= 1; bom++) {
        const char *name = bom ? "bom" : "plain";
        export_all(x, name, bom);
        char cmd[200];
        snprintf(cmd, sizeof cmd,
                 "Rscript -e 'source(\"%s.R\"); source(\"dump.R\")' >r.log 2>&1 || cat r.log >&2",
                 name);
        CHECK(run_in_dir(cmd) == 0);
        char *got = slurp("r-dump.txt");
        CHECK(same(bom ? "R (bom.csv)" : "R (plain.csv)", got, want));
        free(got);
        /* the labels and measurement: ordered Likert factor, labelled question */
        char *script = slurp(bom ? "bom.R" : "plain.R");
        CHECK(script && (strstr(script, "fileEncoding = \"UTF-8-BOM\"") != NULL) == bom);
        free(script);
        unlink(path);
        snprintf(path, sizeof path, "%s/dump.R", g_dir);
        CHECK(fs_write_atomic(path, dump, sizeof dump - 1, 0600, &err) == DB_OK);
    }
    free(want);
}

/* Whether the line of text that starts with prefix also holds what. */
static int line_has(const char *text, const char *prefix, const char *what)
{
    const char *p = text ? strstr(text, prefix) : NULL;
    if (!p)
        return 0;
    const char *nl = strchr(p, '\n');
    const char *w = strstr(p, what);
    return w && (!nl || w < nl);
}

static void test_spss(const Data *x)
{
    char *want = expected(x, 1);
    export_all(x, "plain", 0);
    static const char dump[] = "SAVE TRANSLATE /OUTFILE='spss-out.csv' /TYPE=CSV /FIELDNAMES "
                               "/REPLACE /CELLS=VALUES.\nDISPLAY DICTIONARY.\n";
    char path[300];
    DbError err;
    snprintf(path, sizeof path, "%s/dump.sps", g_dir);
    CHECK(fs_write_atomic(path, dump, sizeof dump - 1, 0600, &err) == DB_OK);
    CHECK(run_in_dir("pspp plain.sps dump.sps >pspp.log 2>&1; grep -n 'error' pspp.log >&2; "
                     "! grep -q 'error' pspp.log") == 0);
    char *out = slurp("spss-out.csv");
    int *is_text = text_columns();
    /* SPSS strings are padded: compare texts without trailing spaces */
    char *got = NULL;
    if (out) {
        char *parsed = parse_csv(out, is_text, 0, 0);
        Sbuf t = {0};
        for (char *line = parsed; line && *line;) {
            char *nl = strchr(line, '\n');
            *nl = '\0';
            for (char *cell = line;;) {
                char *tab = strchr(cell, '\t');
                size_t len = tab ? (size_t)(tab - cell) : strlen(cell);
                while (len > 0 && cell[len - 1] == ' ')
                    len--;
                sbuf_add(&t, cell, len);
                if (!tab)
                    break;
                sbuf_puts(&t, "\t");
                cell = tab + 1;
            }
            sbuf_puts(&t, "\n");
            line = nl + 1;
        }
        got = sbuf_take(&t);
        free(parsed);
    }
    CHECK(same("PSPP", got, want));
    char *log = slurp("pspp.log");
    /* measurement levels: Likert ordinal, choices nominal */
    CHECK(line_has(log, "|uncertainty     |       4|", "|Ordinal "));
    CHECK(line_has(log, "|empathy         |       5|", "|Ordinal "));
    CHECK(line_has(log, "|role            |       7|", "|Nominal "));
    CHECK(line_has(log, "|topics__ethics  |       8|", "|Nominal "));
    free(log);
    free(got);
    free(out);
    free(is_text);
    free(want);
}

/* ------------------------------------------------------------ xlsx */

static uint32_t le(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* The bytes of one member of a zip file (deflated or stored), via the central directory. */
static char *zip_member(const uint8_t *z, size_t len, const char *name)
{
    size_t e = len >= 22 ? len - 22 : 0;
    while (e > 0 && le(z + e, 4) != 0x06054b50)
        e--;
    if (le(z + e, 4) != 0x06054b50)
        return NULL;
    uint32_t n = le(z + e + 10, 2), off = le(z + e + 16, 4);
    for (uint32_t i = 0; i < n && off + 46 <= len; i++) {
        const uint8_t *c = z + off;
        uint32_t method = le(c + 10, 2), csize = le(c + 20, 4), usize = le(c + 24, 4);
        uint32_t nlen = le(c + 28, 2), xlen = le(c + 30, 2), clen = le(c + 32, 2);
        uint32_t local = le(c + 42, 4);
        if (nlen == strlen(name) && memcmp(c + 46, name, nlen) == 0) {
            const uint8_t *l = z + local;
            const uint8_t *data = l + 30 + le(l + 26, 2) + le(l + 28, 2);
            char *out = calloc((size_t)usize + 1, 1);
            if (method == 0) {
                memcpy(out, data, usize);
                return out;
            }
            z_stream s;
            memset(&s, 0, sizeof s);
            inflateInit2(&s, -15);
            s.next_in = (Bytef *)data;
            s.avail_in = csize;
            s.next_out = (Bytef *)out;
            s.avail_out = usize;
            int rc = inflate(&s, Z_FINISH);
            inflateEnd(&s);
            if (rc != Z_STREAM_END) {
                free(out);
                return NULL;
            }
            return out;
        }
        off += 46 + nlen + xlen + clen;
    }
    return NULL;
}

/* XML text between p and end, entities decoded. */
static void xml_text(Sbuf *b, const char *p, const char *end)
{
    while (p < end) {
        static const char *const ent[5][2] = {
            {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
        int done = 0;
        for (int i = 0; i < 5 && !done; i++) {
            size_t n = strlen(ent[i][0]);
            if (strncmp(p, ent[i][0], n) == 0) {
                sbuf_puts(b, ent[i][1]);
                p += n;
                done = 1;
            }
        }
        if (!done)
            sbuf_add(b, p++, 1);
    }
}

static void test_xlsx(const Data *x)
{
    char path[300];
    snprintf(path, sizeof path, "%s/book.xlsx", g_dir);
    int64_t rows;
    DbError err;
    int rc = analysis_xlsx_write(&x->sd, path, ANALYSIS_CSV_ALL, &rows, &err);
    if (rc != DB_OK)
        fprintf(stderr, "xlsx: %s\n", err.msg);
    CHECK(rc == DB_OK && rows == N_ROWS);
    uint8_t *z = NULL;
    size_t len = 0;
    CHECK(fs_read_file(path, 1 << 26, 0, &z, &len, &err) == DB_OK);
    char *sheet = z ? zip_member(z, len, "xl/worksheets/sheet1.xml") : NULL;
    char *strings = z ? zip_member(z, len, "xl/sharedStrings.xml") : NULL;
    char *codebook = z ? zip_member(z, len, "xl/worksheets/sheet2.xml") : NULL;
    char *wb = z ? zip_member(z, len, "xl/workbook.xml") : NULL;
    char *labels = z ? zip_member(z, len, "xl/worksheets/sheet3.xml") : NULL;
    /* value labels: the values are numbers, like the data's (-9 among them) */
    CHECK(labels && strstr(labels, "<c r=\"B2\"><v>1</v></c>") != NULL);
    CHECK(labels && strstr(labels, "<v>-9</v>") != NULL);
    free(labels);
    CHECK(sheet && strings && codebook && wb);
    CHECK(wb && strstr(wb, "name=\"data\"") && strstr(wb, "name=\"codebook\"") &&
          strstr(wb, "name=\"value labels\""));
    /* the shared strings, in order */
    char **sst = NULL;
    int n_sst = 0;
    for (const char *p = strings; p && (p = strstr(p, "<si>")) != NULL; p += 4) {
        const char *t = strstr(p, "<t");
        const char *gt = t ? strchr(t, '>') : NULL;
        const char *end = gt ? strstr(gt, "</t>") : NULL;
        Sbuf s = {0};
        if (gt && end)
            xml_text(&s, gt + 1, end);
        sst = realloc(sst, ((size_t)n_sst + 1) * sizeof *sst);
        char *str = sbuf_take(&s);
        sst[n_sst++] = str ? str : strdup("");
    }
    /* the data sheet's cells, row by row from row 2 */
    Sbuf got = {0};
    int last_row = 1;
    for (const char *p = sheet; p && (p = strstr(p, "<c r=\"")) != NULL; p++) {
        int row = 0;
        const char *r = p + 6;
        while (*r >= 'A' && *r <= 'Z')
            r++;
        row = atoi(r);
        if (row < 2)
            continue;
        if (row != last_row && last_row >= 2)
            sbuf_puts(&got, "\n");
        else if (row == last_row)
            sbuf_puts(&got, "\t");
        last_row = row;
        const char *close = strchr(p, '>');
        const char *ts = strstr(p, "t=\"s\"");
        int is_s = close && ts && ts < close;
        const char *v = strstr(p, "<v>"), *ve = v ? strstr(v, "</v>") : NULL;
        if (!v || !ve)
            continue;
        char num[64];
        snprintf(num, sizeof num, "%.*s", (int)(ve - v - 3), v + 3);
        if (is_s) {
            int i = atoi(num);
            esc(&got, i >= 0 && i < n_sst ? sst[i] : "?", 0);
        } else {
            sbuf_puts(&got, num);
        }
    }
    sbuf_puts(&got, "\n");
    char *want = expected(x, 0);
    CHECK(same("xlsx data sheet", got.data, want));
    /* numbers are numbers (a cell without t="s"), texts strings; both languages' labels in
     * the codebook */
    CHECK(sheet && strstr(sheet, "<c r=\"D2\" t=\"s\"") == NULL);
    int de = 0;
    for (int i = 0; i < n_sst; i++)
        de |= strcmp(sst[i], "question_de") == 0 || strcmp(sst[i], "Volle Zustimmung") == 0;
    CHECK(de);
    free(want);
    sbuf_free(&got);
    for (int i = 0; i < n_sst; i++)
        free(sst[i]);
    free(sst);
    free(sheet);
    free(strings);
    free(codebook);
    free(wb);
    free(z);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "csv";
    if (strcmp(mode, "r") == 0 && !have("Rscript")) {
        printf("SKIP: Rscript not found (Debian package r-base-core)\n");
        return 77;
    }
    if (strcmp(mode, "spss") == 0 && !have("pspp")) {
        printf("SKIP: pspp not found (Debian package pspp)\n");
        return 77;
    }
    if (strcmp(mode, "xlsx") == 0 && !analysis_xlsx_available()) {
        printf("SKIP: built without libxlsxwriter\n");
        return 77;
    }
    DbError err;
    snprintf(g_dir, sizeof g_dir, "/tmp/debrief-test-exports-%s-%d", mode, (int)getpid());
    if (fs_mkdir_p(g_dir, 0700, &err) != DB_OK ||
        survey_load_file("analysis/mini.json", &g_survey, &err) != DB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    Data x;
    build(&x);
    if (strcmp(mode, "csv") == 0)
        test_csv(&x);
    else if (strcmp(mode, "r") == 0)
        test_r(&x);
    else if (strcmp(mode, "spss") == 0)
        test_spss(&x);
    else if (strcmp(mode, "xlsx") == 0)
        test_xlsx(&x);
    else
        fprintf(stderr, "usage: test_exports csv|r|spss|xlsx\n"), test_failed_++;
    fprintf(stderr, "%s %s\n", test_failed_ ? "FAIL" : "ok  ", mode);
    unbuild(&x);
    survey_free(g_survey);
    if (test_failed_ == 0) {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", g_dir);
    } else {
        fprintf(stderr, "files kept in %s\n", g_dir);
    }
    return test_report();
}
