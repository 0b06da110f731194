/* xlsx: one survey version as an Excel workbook, through libxlsxwriter (Debian package
 * libxlsxwriter-dev; Raspberry Pi OS ships it too).
 *
 * Sheets: "data" (the CSV's columns and rows, export.h: numbers as numbers, texts as text
 * cells, so nothing is ever taken for a formula and no guard is needed), "codebook" (the
 * CSV codebook's table) and "value labels" (variable, value, label in every language).
 *
 * Writing: libxlsxwriter builds each part in a temporary file, then zips them into the
 * path it is given. Both go into the output's own directory (tmpdir), never /tmp: the data
 * sheet holds answers, so they stay on the disk the analyst chose for them. The workbook is
 * written to a 0600 file made first (mkstemp), then its bytes are written to the final
 * path with the one atomic-write path (fs_write_atomic) and the temporary file is wiped
 * and removed.
 *
 * Built without libxlsxwriter (cmake -DDEBRIEF_XLSX=OFF), analysis_xlsx_available() is 0 and
 * analysis_xlsx_write fails with DB_EINVAL: the CLI says how to get it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"

#ifdef DEBRIEF_HAVE_XLSX

#include <xlsxwriter.h>

#include "export.h"
#include "fsutil.h"
#include "secmem.h"

int analysis_xlsx_available(void)
{
    return 1;
}

typedef struct Sheet {
    lxw_worksheet *ws;
    lxw_format *head;
    lxw_error e;
} Sheet;

static void sheet_cell(void *ctx, int row, int col, const char *text)
{
    Sheet *s = ctx;
    lxw_error e = worksheet_write_string(s->ws, (lxw_row_t)row, (lxw_col_t)col, text,
                                         row == 0 ? s->head : NULL);
    if (e != LXW_NO_ERROR && s->e == LXW_NO_ERROR)
        s->e = e;
}

/* The value labels: the values (column 1) as numbers, so they match the data sheet's. */
static void labels_cell(void *ctx, int row, int col, const char *text)
{
    Sheet *s = ctx;
    char *end;
    long v = strtol(text, &end, 10);
    if (row > 0 && col == 1 && *text && !*end) {
        lxw_error e =
            worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col, (double)v, NULL);
        if (e != LXW_NO_ERROR && s->e == LXW_NO_ERROR)
            s->e = e;
        return;
    }
    sheet_cell(ctx, row, col, text);
}

static int data_sheet(const AdbSurveyData *sd, int mode, Sheet *s, DbError *err)
{
    ExportVar *vars;
    int n_vars, *order = NULL;
    int rc = export_vars(sd->survey, mode, &vars, &n_vars, err);
    if (rc == DB_OK)
        rc = export_order(sd, mode, &order, err);
    for (int i = 0; rc == DB_OK && i < n_vars; i++) {
        sheet_cell(s, 0, i, vars[i].name);
        worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i, i < 3 ? 16 : 12, NULL);
    }
    char code[16];
    for (int r = 0; rc == DB_OK && r < sd->n_responses; r++) {
        const AdbResponse *resp = &sd->responses[order[r]];
        for (int i = 0; i < n_vars; i++) {
            const char *text;
            int number;
            lxw_error e;
            if (export_cell(sd, resp, &vars[i], &text, code, sizeof code, &number))
                e = worksheet_write_number(s->ws, (lxw_row_t)(r + 1), (lxw_col_t)i, number, NULL);
            else
                e = worksheet_write_string(s->ws, (lxw_row_t)(r + 1), (lxw_col_t)i, text, NULL);
            if (e != LXW_NO_ERROR && s->e == LXW_NO_ERROR)
                s->e = e;
        }
    }
    worksheet_freeze_panes(s->ws, 1, 0);
    free(order);
    free(vars);
    return rc;
}

int analysis_xlsx_write(const AdbSurveyData *sd, const char *path, int mode, int64_t *n_rows,
                        DbError *err)
{
    *n_rows = 0;
    if (mode == ANALYSIS_CSV_TEXT_ONLY)
        return dberr_set(err, DB_EINVAL, "%s: a workbook holds all answers (not --text-only)",
                         path);
    char tmp[4096], dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int w = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
    if (w < 0 || (size_t)w >= sizeof tmp)
        return dberr_set(err, DB_ELIMIT, "%s: path too long", path);
    int fd = mkstemp(tmp); /* 0600: the workbook holds answers */
    if (fd < 0)
        return dberr_set(err, DB_EIO, "%s: cannot create a temporary file in %s", path, dir);
    close(fd);
    lxw_workbook_options o = {.constant_memory = 0, .tmpdir = dir, .use_zip64 = 0};
    lxw_workbook *wb = workbook_new_opt(tmp, &o);
    int rc = DB_OK;
    if (!wb) {
        unlink(tmp);
        return dberr_set(err, DB_ENOMEM, "%s: cannot start the workbook", path);
    }
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    Sheet data = {workbook_add_worksheet(wb, "data"), head, LXW_NO_ERROR};
    Sheet book = {workbook_add_worksheet(wb, "codebook"), head, LXW_NO_ERROR};
    Sheet labels = {workbook_add_worksheet(wb, "value labels"), head, LXW_NO_ERROR};
    if (!data.ws || !book.ws || !labels.ws)
        rc = dberr_set(err, DB_ENOMEM, "%s: cannot add the sheets", path);
    if (rc == DB_OK)
        rc = data_sheet(sd, mode, &data, err);
    if (rc == DB_OK) {
        export_codebook(sd->survey, mode, sheet_cell, &book);
        export_value_labels(sd->survey, mode, labels_cell, &labels);
        worksheet_freeze_panes(book.ws, 1, 0);
        worksheet_freeze_panes(labels.ws, 1, 0);
        lxw_error e = data.e ? data.e : book.e ? book.e : labels.e;
        if (e != LXW_NO_ERROR)
            rc = dberr_set(err, DB_EINVAL, "%s: %s", path, lxw_strerror(e));
    }
    lxw_error closed = workbook_close(wb); /* writes the file, frees wb */
    if (rc == DB_OK && closed != LXW_NO_ERROR)
        rc = dberr_set(err, DB_EIO, "%s: writing the workbook: %s", path, lxw_strerror(closed));
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (rc == DB_OK)
        rc = fs_read_file(tmp, (size_t)1 << 30, 0, &bytes, &len, err);
    if (rc == DB_OK)
        rc = fs_write_atomic(path, bytes, len, 0600, err);
    if (bytes) {
        secmem_wipe(bytes, len);
        free(bytes);
    }
    unlink(tmp);
    if (rc == DB_OK)
        *n_rows = sd->n_responses;
    return rc;
}

#else /* built without libxlsxwriter */

int analysis_xlsx_available(void)
{
    return 0;
}

int analysis_xlsx_write(const AdbSurveyData *sd, const char *path, int mode, int64_t *n_rows,
                        DbError *err)
{
    (void)sd;
    (void)mode;
    *n_rows = 0;
    return dberr_set(err, DB_EINVAL,
                     "%s: this debrief was built without libxlsxwriter (cmake "
                     "-DDEBRIEF_XLSX=OFF); install libxlsxwriter-dev and rebuild",
                     path);
}

#endif
