/* test_xlsx_off: a build without libxlsxwriter (cmake -DDEBRIEF_XLSX=OFF) still builds and
 * says what is missing: app/analysis/xlsx.c compiled here without DEBRIEF_HAVE_XLSX. The CLI
 * turns this into "debrief: error: --xlsx: this debrief was built without libxlsxwriter ..."
 * before writing anything (cmd_csv.c). */
#include <string.h>

#include "analysis.h"
#include "testlib.h"

static void test_off(void)
{
    CHECK(analysis_xlsx_available() == 0);
    DbError err;
    int64_t rows = 7;
    AdbSurveyData sd;
    memset(&sd, 0, sizeof sd);
    CHECK(analysis_xlsx_write(&sd, "out.xlsx", ANALYSIS_CSV_ALL, &rows, &err) == DB_EINVAL);
    CHECK(rows == 0);
    CHECK_STR(err.msg, "out.xlsx: this debrief was built without libxlsxwriter (cmake "
                       "-DDEBRIEF_XLSX=OFF); install libxlsxwriter-dev and rebuild");
}

int main(void)
{
    RUN(test_off);
    return test_report();
}
