/* access.h: who may pmstore into agentbench.* (a store starts a root `perf -a` capture).
 * pmcd hands the PMDA each client context's credentials (PMDA_FLAG_AUTHORIZE):
 * PCP_ATTR_USERID (and GROUPID) from a local socket's peer credentials or a SASL login,
 * PCP_ATTR_USERNAME from a SASL login (pmproxy passes HTTP Basic auth on as one). A store is
 * accepted only from a context whose user name, the name of its uid, or its uid is in
 * agentbench.conf's store_users (default root); a context without credentials (TCP without SASL, so
 * pmproxy without auth) never is. */
#ifndef PMDA_AB_ACCESS_H
#define PMDA_AB_ACCESS_H

#include <stddef.h>
#include <pcp/pmapi.h>
#include <pcp/pmda.h>
#include "config.h"

/* cfg's store_users must outlive the PMDA. */
void pmda_access_init(const abc_config *cfg);

/* The attribute callback (PMDA interface 6+): remembers the context's credentials. */
int pmda_access_attribute(int ctx, int attr, const char *value, int length, pmdaExt *pmda);

/* Forget a context's credentials (its end). */
void pmda_access_end_context(int ctx);

/* 0 when ctx may store, else PM_ERR_PERMISSION with who it is (or that it has no
 * credentials) in who. */
int pmda_access_check_store(int ctx, char *who, size_t wholen);

#endif
