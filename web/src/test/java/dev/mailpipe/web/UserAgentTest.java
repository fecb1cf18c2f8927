package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class UserAgentTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
                + "|Chrome|131.0.0.0|Windows|10",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 "
                + "Edg/131.0.2903.86|Edge|131.0.2903.86|Windows|10",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
                + "Safari/605.1.15|Safari|17.1|macOS|10.15.7",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                + "Mobile/15E148|Apple Mail|-|iOS|17.1.2",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 "
                + "Mobile/15E148 Safari/604.1|Chrome|120.0.6099.119|iOS|16.6",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile "
                + "Safari/537.36|Chrome|120.0.0.0|Android|14",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0|Firefox|121.0|Linux|-",
        "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko|IE|11.0|Windows|7",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0"
                + "|Thunderbird|115.6.0|Windows|10",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)|Outlook|16.0.17126|Windows|10",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
                + "OPR/106.0.0.0|Opera|106.0.0.0|Windows|10",
        "curl/7.88.1|curl|7.88.1|-|-",
        "python-requests/2.28.1|python-requests|2.28.1|-|-",
        "something odd|-|-|-|-",
    })
    void parsesBrowserAndSystem(final String header, final String name, final String version, final String os,
            final String osVer) {
        final UserAgent ua = UserAgent.parse(header);
        assertThat(ua.explorerName()).isEqualTo(name);
        assertThat(ua.explorerVer()).isEqualTo(version);
        assertThat(ua.osName()).isEqualTo(os);
        assertThat(ua.osVer()).isEqualTo(osVer);
        assertThat(ua.machine()).isFalse();
    }

    @Test
    void imageProxiesAreMachines() {
        assertThat(UserAgent.parse("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com "
                + "GoogleImageProxy)").machine()).isTrue();
        assertThat(UserAgent.parse("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html")
                .machine()).isTrue();
        // Apple Mail Privacy Protection prefetches with a bare user agent, from Apple's network.
        assertThat(UserAgent.parse("Mozilla/5.0").machine()).isTrue();
        final UserAgent iphone = UserAgent.parse("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
                + "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148");
        assertThat(iphone.withMachineIfApple("17.58.101.4").machine()).isTrue();
        assertThat(iphone.withMachineIfApple("171.58.101.4").machine()).isFalse();
        assertThat(iphone.withMachineIfApple("2001:db8::17").machine()).isFalse();
    }

    @Test
    void absentOrHugeHeadersAreHarmless() {
        assertThat(UserAgent.parse(null)).isEqualTo(UserAgent.UNKNOWN);
        assertThat(UserAgent.parse("  ")).isEqualTo(UserAgent.UNKNOWN);
        assertThat(UserAgent.parse("Chrome/1.0 " + "x".repeat(100_000)).explorerName()).isEqualTo("Chrome");
    }
}
