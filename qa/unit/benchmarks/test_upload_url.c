/* test_upload_url.c: the ingest URL: escaped application name, whole-second range that is
 * never empty, the agent's spy name and sample rate. */
#include "config.h"
#include "../tap.h"
#include "upload.h"

#include <string.h>

int main(void) {
    agent_config cfg;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.server, "http://127.0.0.1:4040");
    strcpy(cfg.app_name, "my app{env=a b}");
    cfg.sample_rate = 100;
    char url[1024];
    CHECK(agent_upload_url(&cfg, 1000.25, 1001.5, url, sizeof url) == 0, "builds");
    CHECK(strcmp(url, "http://127.0.0.1:4040/ingest?format=folded&name=my%20app%7Benv%3Da%20b%7D"
                      "&from=1000&until=1002&spyName=agentbench-c&sampleRate=100"
                      "&units=samples&aggregationType=sum") == 0,
          "escaped name, widened range, spy name and rate");
    CHECK(agent_upload_url(&cfg, 1000.1, 1000.2, url, sizeof url) == 0 &&
              strstr(url, "from=1000&until=1001") != NULL,
          "an interval inside one second becomes 1 s");
    char small[40];
    CHECK(agent_upload_url(&cfg, 1, 2, small, sizeof small) < 0, "too small a buffer is an error");
    return TAP_DONE();
}
