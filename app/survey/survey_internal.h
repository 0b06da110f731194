/* survey_internal: helpers shared by survey.c and response.c (and their tests), not part of
 * the public contract.
 *
 * The survey loader needs to know the largest possible response encoding to size records,
 * so the encoding's field sizes live here, next to the UTF-8 rules both files apply.
 */
#ifndef DEBRIEF_SURVEY_INTERNAL_H
#define DEBRIEF_SURVEY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session_fields.h" /* the id rule: session_is_id */
#include "survey.h"
#include "utf8.h"

/* Response plaintext (docs/FORMAT.md, "Response plaintext"). */
#define RESPONSE_MAGIC "DBRP"
#define RESPONSE_MAX_ENCODING 65535 /* records are at most 64 KiB including padding headroom */

/* The largest number of bytes response_encode can produce for this survey. */
size_t survey_max_encoding(const Survey *s);

#endif
