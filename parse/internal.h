/*
 * internal.h: included by every header of parse/ except parse.h.  Those
 * headers are the parser's stages talking to each other; only the parser
 * itself (and its white-box tests) compiles with PLANQ_PARSE_INTERNAL, so a
 * consumer that reaches past parse.h fails to build instead of coupling to a
 * stage.
 */
#ifndef PLANQ_PARSE_INTERNAL_GUARD_H
#define PLANQ_PARSE_INTERNAL_GUARD_H

#ifndef PLANQ_PARSE_INTERNAL
#error "this header is internal to the parser library (parse/): include parse.h"
#endif

#endif
