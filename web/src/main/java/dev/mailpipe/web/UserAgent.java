package dev.mailpipe.web;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an open, click or unsubscribe event says about the client: browser or mail client and its
 * version, operating system and its version (SendCloud's explorerName/explorerVer/oSName/oSVer),
 * and whether the request came from an image proxy rather than a person's device.
 *
 * <p>A small parser of the common shapes, not a device database: unknown parts are null. Order
 * matters because user agents name their ancestors (Edge says Chrome and Safari, Chrome says Safari).
 *
 * @param machine fetched by a proxy or privacy service (Google's image proxy, Yahoo's, Apple Mail
 *                Privacy Protection's prefetch), so an open does not mean a person looked
 */
public record UserAgent(String explorerName, String explorerVer, String osName, String osVer, boolean machine) {

    static final UserAgent UNKNOWN = new UserAgent(null, null, null, null, false);

    private static final int MAX_LENGTH = 1024;

    /** Browser and mail-client rules, first match wins: name, then the pattern whose group 1 is the version. */
    private static final Rule[] BROWSERS = {
        new Rule("GoogleImageProxy", "GoogleImageProxy()"),
        new Rule("YahooMailProxy", "YahooMailProxy()"),
        new Rule("Outlook", "Microsoft Outlook[ /]([\\d.]+)"),
        new Rule("Outlook", "Outlook-(?:iOS|Android)/([\\d.]+)"),
        new Rule("Thunderbird", "Thunderbird/([\\d.]+)"),
        new Rule("Edge", "Edg(?:e|A|iOS)?/([\\d.]+)"),
        new Rule("Opera", "OPR/([\\d.]+)"),
        new Rule("Samsung Internet", "SamsungBrowser/([\\d.]+)"),
        new Rule("Yandex", "YaBrowser/([\\d.]+)"),
        new Rule("Chrome", "CriOS/([\\d.]+)"),
        new Rule("Firefox", "FxiOS/([\\d.]+)"),
        new Rule("Chrome", "Chrome/([\\d.]+)"),
        new Rule("Firefox", "Firefox/([\\d.]+)"),
        new Rule("IE", "MSIE ([\\d.]+)"),
        new Rule("IE", "Trident/.*rv:([\\d.]+)"),
        new Rule("Safari", "Version/([\\d.]+).*Safari/"),
        // WebKit without Safari on Apple systems: the mail app's own web view.
        new Rule("Apple Mail", "(?:Macintosh|iPhone|iPad).*AppleWebKit/[\\d.]+ \\(KHTML, like Gecko\\)(?!.*Safari)()"),
        new Rule("curl", "^curl/([\\d.]+)"),
        new Rule("python-requests", "python-requests/([\\d.]+)"),
    };

    private static final Pattern WINDOWS = Pattern.compile("Windows NT ([\\d.]+)");
    private static final Pattern IOS = Pattern.compile("(?:iPhone|CPU) OS ([\\d_]+)");
    private static final Pattern MAC = Pattern.compile("Mac OS X ([\\d_.]+)");
    private static final Pattern ANDROID = Pattern.compile("Android ([\\d.]+)");
    private static final Pattern CROS = Pattern.compile("CrOS \\S+ ([\\d.]+)");

    /** Parses a User-Agent header; null or blank gives all-null fields. */
    public static UserAgent parse(final String header) {
        if (header == null || header.isBlank()) {
            return UNKNOWN;
        }
        final String ua = header.length() > MAX_LENGTH ? header.substring(0, MAX_LENGTH) : header.strip();
        String name = null;
        String version = null;
        for (final Rule rule : BROWSERS) {
            final Matcher m = rule.pattern.matcher(ua);
            if (m.find()) {
                name = rule.name;
                version = m.group(1).isEmpty() ? null : m.group(1);
                break;
            }
        }
        String os = null;
        String osVer = null;
        Matcher m;
        if ((m = WINDOWS.matcher(ua)).find()) {
            os = "Windows";
            osVer = windowsVersion(m.group(1));
        } else if ((m = IOS.matcher(ua)).find() && (ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod"))) {
            os = "iOS";
            osVer = m.group(1).replace('_', '.');
        } else if ((m = ANDROID.matcher(ua)).find()) {
            os = "Android";
            osVer = m.group(1);
        } else if ((m = MAC.matcher(ua)).find()) {
            os = "macOS";
            osVer = m.group(1).replace('_', '.');
        } else if ((m = CROS.matcher(ua)).find()) {
            os = "ChromeOS";
            osVer = m.group(1);
        } else if (ua.contains("Linux") || ua.contains("X11")) {
            os = "Linux";
        }
        return new UserAgent(name, version, os, osVer, isProxy(ua));
    }

    /**
     * Image proxies that fetch on behalf of (or instead of) a person. Apple Mail Privacy Protection
     * prefetches every image with the bare user agent {@code Mozilla/5.0}; Google and Yahoo name
     * their proxies. Apple's own network (17.0.0.0/8) is checked by the caller with the IP.
     */
    private static boolean isProxy(final String ua) {
        final String lower = ua.toLowerCase(Locale.ROOT);
        return ua.equals("Mozilla/5.0") || lower.contains("googleimageproxy") || lower.contains("ggpht.com")
                || lower.contains("yahoomailproxy");
    }

    private static String windowsVersion(final String nt) {
        return switch (nt) {
            case "10.0" -> "10";
            case "6.3" -> "8.1";
            case "6.2" -> "8";
            case "6.1" -> "7";
            case "6.0" -> "Vista";
            case "5.1", "5.2" -> "XP";
            default -> nt;
        };
    }

    /** Apple Mail Privacy Protection fetches from Apple's network; such an open is a machine open. */
    public UserAgent withMachineIfApple(final String ip) {
        if (machine || ip == null || !ip.startsWith("17.") || ip.indexOf(':') >= 0) {
            return this;
        }
        return new UserAgent(explorerName, explorerVer, osName, osVer, true);
    }

    private record Rule(String name, Pattern pattern) {
        Rule(final String name, final String regex) {
            this(name, Pattern.compile(regex));
        }
    }
}
