/*
 * send_report.h: what `planq send` prints: one stdout line per document as
 * its final outcome arrives, the tallies, and the closing summary line.
 */
#ifndef PLANQ_SEND_REPORT_H
#define PLANQ_SEND_REPORT_H

#include <stdio.h>

#include <jansson.h>

struct send_report {
	FILE		*out;		/* borrowed, normally stdout */
	int		 quiet;		/* only the summary */
	unsigned long	 stored, duplicate, spooled, rejected, failed;
};

/*
 * A final status from the server (stored, duplicate, spooled, rejected).
 * Returns -1 for any other status, which the caller reports as failed.
 */
int	send_report_outcome(struct send_report *rep, const char *status,
	    json_t *document_id, json_t *plan_id, const char *reason,
	    const char *path);
void	send_report_failed(struct send_report *rep, const char *reason,
	    const char *path);
void	send_report_summary(const struct send_report *rep);
unsigned long send_report_total(const struct send_report *rep);
/* 1 if every reported document was stored, duplicate or spooled */
int	send_report_all_ok(const struct send_report *rep);

#endif
