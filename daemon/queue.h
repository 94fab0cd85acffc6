/*
 * queue.h: a document from its receipt until its reply (struct job), and
 * the FIFO of jobs waiting for a worker.  The queue owns the jobs in it;
 * whoever pops one owns it until job_free() or until it hands it on.
 */
#ifndef PLANQD_QUEUE_H
#define PLANQD_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <czmq.h>

struct job {
	struct job	*next;
	uint64_t	 id;
	zframe_t	*client;	/* ROUTER routing id of the sender;
					 * NULL for a replay from the spool */
	int		 req_style;	/* reply needs the "" delimiter */
	zframe_t	*envelope;
	zframe_t	*body;
	char		*client_id;	/* envelope "id", may be NULL */
	char		*source_url;	/* for log lines, may be NULL */
	int		 crashes;	/* workers that died holding it alone */
	int		 solo;		/* was in a batch that killed a worker:
					 * goes alone until proven harmless */
	char		 last_death[64];
	char		*quarantine_reason;	/* set: store as rejected */
	int64_t		 received_ms;
	uint64_t	 spool_seg;	/* replay of a spooled record: its
					 * segment; no client waits for it */
	size_t		 spool_bytes;
};

struct queue {
	struct job	*head, *tail;
	int		 count;
	size_t		 bytes;
};

struct job *job_new(void);
void	job_free(struct job **jobp);
/* Frees a chain of jobs linked by ->next. */
void	job_free_chain(struct job **chainp);
/* The chain in the opposite order (its head returned): pushing each job of
 * the result to a queue's front, one after another, keeps the first order. */
struct job *job_chain_reverse(struct job *chain);
size_t	job_bytes(const struct job *job);

void	queue_push_back(struct queue *q, struct job *job);
void	queue_push_front(struct queue *q, struct job *job);
/* Puts a chain (linked by ->next) back at the head, in its order. */
void	queue_push_front_chain(struct queue *q, struct job *chain);
struct job *queue_pop(struct queue *q);

#endif
