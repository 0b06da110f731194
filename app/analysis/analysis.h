/* analysis: the analyst's operations: import batches, export CSV + codebook, write the report.
 *
 * Import (analysis_import_file), for one batch file, makes these checks in this order and
 * stores the batch in ONE write transaction, all or nothing (a failure rolls it back and
 * leaves the database file byte for byte as it was; steps 1-2 run before the transaction
 * starts, steps 3-6 inside it, so that what they read of the database still holds when the
 * batch is stored, even with another import into the same database at once, which waits;
 * step 6b before any record is opened, and the records of step 7 are checked as they are
 * stored):
 *   1. the file is a regular file of at most BATCH_MAX_BYTES;
 *   2. batch_parse: structure, limits and the kiosk's signature;
 *   3. the kiosk is known and trusted, or first seen and either listed in the kiosk registry
 *      (kiosks) or explicitly trusted (trust_new_kiosk); a kiosk marked untrusted is refused;
 *   4. the same number already imported: same hash -> ANALYSIS_ALREADY (a no-op), another
 *      hash -> a fork (DB_ESTATE, nothing imported);
 *   4b. the records are sealed only to keys the analyst expects: the public half of the key
 *      importing them and also_expected (batch_check_recipients; DB_ESTATE naming the others,
 *      nothing imported): whoever holds another key can read these responses too;
 *   5. the chain: prev_hash equals the stored hash of batch number - 1 (else a splice), and a
 *      stored batch number + 1 names this batch's hash; batch number - 1 missing is a gap,
 *      refused unless accept_gap;
 *   6. every session's survey version is known (given with --survey or stored before);
 *   6b. no sealed record was imported before (its seal_record_id is in the database, from
 *      any batch of any kiosk; the ids are stored in the same pass, in sorted order) or
 *      repeats an earlier record of the same batch: a REPLAY,
 *      refused (DB_ESTATE, nothing imported) unless skip_replays, which imports the batch
 *      without those records and records how many were skipped;
 *   7. every record opens with the key (seal_open), decodes (response_decode), belongs to
 *      the session the batch says (label, date, survey, version), checks against its survey
 *      (response_decoded_check), and the per-session counts match the batch's bookkeeping.
 * No record is decrypted before the signature of step 2 verified and steps 3-6 passed: a
 * forged batch costs one hashing pass, and response_decode only ever sees authenticated
 * bytes. Step 7 opens the records on n_threads threads; errors are still reported in the
 * order above (a bad record: the first one by index, whatever the thread count; a database
 * error such as a full disk while storing may come first).
 * Plaintext exists only in locked memory (seal_open's output) and in the decoded responses,
 * which are wiped when freed; it is written only into the analysis database.
 *
 * Messages name the batch file; authentication failures use DBERR_AUTH_MSG.
 */
#ifndef DEBRIEF_ANALYSIS_H
#define DEBRIEF_ANALYSIS_H

#include <stdint.h>
#include <stdio.h>

#include "adb.h"
#include "batch.h"
#include "dberr.h"
#include "keys.h"
#include "survey.h"

/* Surveys the analyst supplies (--survey FILE), with their JSON text (stored in the db the
 * first time a batch uses them). */
typedef struct AnalysisSurveyFile {
    const char *path;
    char *json; /* malloc'd */
    size_t len;
    Survey *survey;
} AnalysisSurveyFile;

int analysis_survey_file_load(const char *path, AnalysisSurveyFile *out, DbError *err);
void analysis_survey_file_free(AnalysisSurveyFile *f);

/* --- the trusted-kiosk registry (--kiosks FILE) ---
 *
 * A text file the analyst keeps, one kiosk per line: its fingerprint as the kiosk's admin
 * screen shows it ("XXXX-XXXX-XXXX-XXXX", letters in either case) and, after white space, a
 * free label (optional, at most ADB_KIOSK_LABEL_MAX bytes of strict UTF-8 without control
 * characters, C1 included: utf8_check; e.g. "Ward 3, tablet 2").
 * Lines whose first non-blank character is '#' are comments; blank lines are ignored. A '#'
 * after the fingerprint belongs to the label. */
typedef struct AnalysisKiosk {
    char fingerprint[KEY_FINGERPRINT_SIZE];
    char label[ADB_KIOSK_LABEL_MAX + 1];
} AnalysisKiosk;

typedef struct AnalysisKioskRegistry {
    char path[512];
    int n;
    AnalysisKiosk *kiosks; /* malloc'd */
} AnalysisKioskRegistry;

#define ANALYSIS_KIOSKS_MAX_BYTES (1u << 20)

/* Reads a registry; DB_EINVAL names "FILE:LINE" for a malformed or duplicate line. */
int analysis_kiosks_load(const char *path, AnalysisKioskRegistry *out, DbError *err);
/* Parses registry text (path is only used in messages). */
int analysis_kiosks_parse(const char *path, const char *text, size_t len,
                          AnalysisKioskRegistry *out, DbError *err);
void analysis_kiosks_free(AnalysisKioskRegistry *r); /* NULL is a no-op */
/* The entry for a fingerprint (as keys_fingerprint writes it), or NULL. */
const AnalysisKiosk *analysis_kiosks_find(const AnalysisKioskRegistry *r, const char *fp);

typedef struct AnalysisImportOptions {
    int trust_new_kiosk;
    const AnalysisKioskRegistry *kiosks; /* or NULL; first-seen kiosks listed here are trusted,
                                            and every listed kiosk gets its label */
    int n_threads; /* records are opened and checked on this many threads; 0: one per core
                      (at most ANALYSIS_MAX_THREADS). Whatever it is, the file is hashed on a
                      thread of its own while it is read. */
    int accept_gap;
    int skip_replays; /* import a batch without its replayed records (else refuse it) */
    const AnalysisSurveyFile *surveys;
    int n_surveys;
    /* keys besides the importing key's own that the records may be sealed to (a second
       analyst's); a record sealed to any other key is refused (step 4b) */
    const KeyPublic *also_expected;
    int n_also_expected;
} AnalysisImportOptions;

enum { ANALYSIS_IMPORTED = 1, ANALYSIS_ALREADY = 2 };

#define ANALYSIS_MAX_THREADS 8

typedef struct AnalysisImportResult {
    int outcome; /* ANALYSIS_IMPORTED or ANALYSIS_ALREADY */
    uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES];
    char kiosk_fp[KEY_FINGERPRINT_SIZE];
    char kiosk_label[ADB_KIOSK_LABEL_MAX + 1]; /* from the registry, or "" */
    int new_kiosk;                             /* first seen, trusted now */
    uint64_t number;
    uint32_t n_records;
    uint32_t n_sessions;
    int gap_accepted; /* batch number - 1 was missing */
    uint32_t n_replays; /* replayed records skipped (skip_replays); not in n_records */
    char recipients[ADB_RECIPIENTS_SIZE]; /* batch_recipients_describe */
} AnalysisImportResult;

/* Reads just enough of a batch file to order a run: the kiosk and number from its fixed
 * header (not verified: analysis_import_file checks everything). A file without a batch
 * header fails with batch_parse's message. */
int analysis_batch_peek(const char *path, uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES], uint64_t *number,
                        DbError *err);

int analysis_import_file(Adb *db, const KeySecret *sec, const char *path,
                         const AnalysisImportOptions *opt, AnalysisImportResult *res, DbError *err);

/* Writes a signed acknowledgement listing every imported batch of the kiosk (atomically,
 * mode 0644), to path, or, when path is a directory (in_dir != 0), to a file there with the
 * default name (analysis_ack_file_name). In a directory no file is ever replaced by one with
 * other contents: the same name with the same bytes is left as it is, another file of that
 * name makes it "...-2.dba", "-3", ... *written (capacity cap) receives the file's path and
 * *n_entries the number of batches listed. A kiosk that is unknown, has no batch, or is
 * marked untrusted gets none (DB_ENOENT, DB_ESTATE; nothing written): a kiosk deletes the
 * responses an acknowledgement lists. */
int analysis_ack_write(Adb *db, const KeySecret *sec, const uint8_t kiosk_pk[KEY_SIGN_PUBLIC_BYTES],
                       const char *path, int in_dir, char *written, size_t cap,
                       uint32_t *n_entries, DbError *err);

/* The default acknowledgement file name, "debrief-XXXX-XXXX-ack-NNNNNN-DBNAME.dba": the first
 * two groups of the kiosk fingerprint, the latest batch it lists (six or more digits), and
 * the analysis database's file name without its extension (bytes other than A-Z a-z 0-9 . _ -
 * become '_', at most 48), so that neither two databases nor two imports write the same name
 * for different acknowledgements. */
void analysis_ack_file_name(const char *kiosk_fp, uint64_t last_batch, const char *db_path,
                            char *out, size_t cap);

/* --- CSV export --- */

enum { ANALYSIS_CSV_ALL = 0, ANALYSIS_CSV_NO_TEXT = 1, ANALYSIS_CSV_TEXT_ONLY = 2 };

/* Codes for an answer that is not there, in every column of the question (numeric columns as
 * numbers, text columns as these strings; a participant's own text "-9" is written "'-9" by
 * the formula guard, so it never reads as a code). Documented in the codebook and in
 * docs/ANALYSIS.md. */
#define ANALYSIS_DECLINED_CODE -9  /* "prefer not to answer" */
#define ANALYSIS_SKIPPED_CODE -8   /* shown, not answered */
#define ANALYSIS_NOT_SHOWN_CODE -7 /* hidden by its show-if condition */

typedef struct AnalysisCsvOptions {
    const char *out_path; /* FILE.csv; the codebook, SPSS and R files go next to it */
    int mode;             /* ANALYSIS_CSV_* */
    int bom;              /* start FILE.csv with a UTF-8 byte order mark (for Excel) */
} AnalysisCsvOptions;

/* Writes the CSV for one survey version, and unless mode is TEXT_ONLY: FILE.codebook.csv
 * (every survey language), FILE.R, FILE.sps with its data file FILE.spss.csv (the CSV's
 * rows with a line break inside a text written as \n and a backslash as \\: SPSS cannot
 * read a line break inside a quoted field; FILE.sps undoes it). Rows are sorted by session
 * date, label, then row content, never by import order. For TEXT_ONLY, one row per non-empty
 * text answer: session label and date, question id, text, in random order, without response
 * columns. *n_rows receives the rows written. */
int analysis_csv_write(const AdbSurveyData *sd, const AnalysisCsvOptions *opt, int64_t *n_rows,
                       DbError *err);

/* Writes one CSV field (RFC 4180 quoting when needed; a leading ' when the value starts with
 * = + - @ TAB CR or ' itself, so spreadsheets do not run it as a formula and the guard can be
 * undone exactly by removing one leading '). Exposed for tests. */
void analysis_csv_field(FILE *f, const char *s);

/* The code or value of a cell in a numeric column (Likert value, option position 1..n,
 * or for a multiple-choice option column (option >= 0): 1 chosen, 0 not), or a code. */
int analysis_cell_number(const SurveyQuestion *sq, const AdbCell *c, int option);

/* --- xlsx export (app/analysis/xlsx.c) --- */

/* 1 when this build can write .xlsx workbooks (built with libxlsxwriter). */
int analysis_xlsx_available(void);

/* Writes one survey version as an .xlsx workbook: sheet "data" (the CSV's columns and rows,
 * numbers as numbers, texts as text: nothing is ever taken for a formula), "codebook" (as
 * FILE.codebook.csv) and "value labels" (variable, value, label in every language). DB_EINVAL
 * when built without libxlsxwriter. */
int analysis_xlsx_write(const AdbSurveyData *sd, const char *path, int mode, int64_t *n_rows,
                        DbError *err);

/* --- report --- */

typedef struct AnalysisReportOptions {
    const char *out_path; /* report.html */
    const char *by;       /* "session" (default) or a question id (single or Likert) */
    int k;                /* smallest cell shown; default 5 */
    int agree;            /* top-box threshold on a 5-point scale: values >= agree agree;
                             default 4 (7-point scales scale it: >= agree + 2) */
    const char *sidecar;  /* optional: machine-readable numbers (TSV) for tests/checking */
} AnalysisReportOptions;

int analysis_report_write(const AdbData *data, const AnalysisReportOptions *opt, DbError *err);

/* Writes p as the report shows it, like the reference paper: ".03", ".10", "1.00"; three
 * decimals below .01 (".004"), "<.001" below .001, more decimals when rounding would lift a
 * p below .05 to ".05" (".0496"); "–" for NaN (no test). Exposed for tests. */
void analysis_format_p(double p, char *out, size_t cap);

#endif
