/* fuzz_kiosk_config: kiosk_args_apply_config on arbitrary bytes (app/kiosk/kiosk_args.h) —
 * the kiosk's "key = value" configuration file.
 *
 * Whatever the file holds, every path and string setting stays NUL-terminated within its
 * buffer and the recipient count within KIOSK_MAX_RECIPIENTS.
 */
#include <string.h>

#include "fuzz_support.h"
#include "kiosk_args.h"

static KioskArgs g_args;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

#define TERMINATED(field) FUZZ_ASSERT(memchr((field), '\0', sizeof(field)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&g_args, 0, sizeof g_args);
    DbError err;
    int rc = kiosk_args_apply_config(&g_args, "fuzz.conf", (const char *)data, size, &err);
    if (rc != DB_OK)
        FUZZ_ASSERT(err.msg[0] != '\0');
    FUZZ_ASSERT(g_args.n_recipients >= 0 && g_args.n_recipients <= KIOSK_MAX_RECIPIENTS);
    TERMINATED(g_args.survey);
    TERMINATED(g_args.data);
    for (int i = 0; i < KIOSK_MAX_RECIPIENTS; i++)
        TERMINATED(g_args.recipients[i]);
    TERMINATED(g_args.lang);
    TERMINATED(g_args.script);
    TERMINATED(g_args.font);
    TERMINATED(g_args.font_bold);
    TERMINATED(g_args.config);
    TERMINATED(g_args.shots);
    (void)kiosk_args_demo(&g_args);
    return 0;
}
