/* domain.h: pmdaagentbench's default performance metrics domain (end-user range 385-510).
 * Install takes another one with AGENTBENCH_DOMAIN=N ./Install. */
#define AGENTBENCH 498
