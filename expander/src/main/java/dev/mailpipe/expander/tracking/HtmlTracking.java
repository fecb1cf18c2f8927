package dev.mailpipe.expander.tracking;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Range;
import org.jsoup.parser.Parser;

/**
 * Tracking for one text/html part. Pure. The HTML is parsed with jsoup (positions tracked) to
 * find links and the end of the body the way a browser would, but the output is the input with
 * small splices — a rewritten {@code href} value, the pixel, the footer — never jsoup's
 * re-serialisation, so everything else in the part stays exactly as the sender wrote it.
 *
 * <ul>
 *   <li>{@code %unsubscribe_url%} anywhere becomes the unsubscribe URL (first, so that a link to it
 *       is not click-tracked).</li>
 *   <li>Click: {@code href} of {@code <a>} and {@code <area>} when it is an http or https URL;
 *       never {@code mailto:}, {@code tel:}, {@code #anchors}, relative links, links already under
 *       the public URL, or elements marked {@code clicktracking="off"} (SendGrid's attribute).</li>
 *   <li>The footer and then the pixel go right before {@code </body>}; without one, before
 *       {@code </html>}; without that, at the end.</li>
 * </ul>
 */
public final class HtmlTracking {

    /** SendGrid's way to exclude a link: {@code <a clicktracking="off" href=...>}. */
    public static final String NO_TRACKING_ATTRIBUTE = "clicktracking";

    private HtmlTracking() {
    }

    private record Edit(int start, int end, String text) {
    }

    public static String rewrite(final String original, final TrackingOptions options, final Links links) {
        String html = original;
        if (options.unsubscribe() && html.contains(TrackingOptions.PLACEHOLDER)) {
            html = html.replace(TrackingOptions.PLACEHOLDER, links.unsubscribe());
        }
        if (!options.click() && !options.open() && !(options.unsubscribe() && options.footers())) {
            return html;
        }
        final Document doc = Jsoup.parse(html, "", Parser.htmlParser().setTrackPosition(true));
        final List<Edit> edits = new ArrayList<>();
        if (options.click()) {
            for (final Element link : doc.select("a[href], area[href]")) {
                clickEdit(link, links).ifPresent(edits::add);
            }
        }
        final StringBuilder insert = new StringBuilder();
        if (options.unsubscribe() && options.footers()) {
            insert.append("<p style=\"margin:16px 0 0 0;font-size:12px;color:#666666\"><a href=\"")
                    .append(links.unsubscribe()).append("\" style=\"color:#666666\">")
                    .append(escape(options.footerText())).append("</a></p>");
        }
        if (options.open()) {
            insert.append("<img src=\"").append(links.open())
                    .append("\" width=\"1\" height=\"1\" alt=\"\" border=\"0\" style=\"display:block;width:1px;height:1px;border:0\">");
        }
        if (!insert.isEmpty()) {
            final int at = insertionPoint(doc, html);
            edits.add(new Edit(at, at, insert.toString()));
        }
        return apply(html, edits);
    }

    private static java.util.Optional<Edit> clickEdit(final Element link, final Links links) {
        if (link.attr(NO_TRACKING_ATTRIBUTE).strip().equalsIgnoreCase("off")) {
            return java.util.Optional.empty();
        }
        final Attribute href = link.attribute("href");
        if (href == null) {
            return java.util.Optional.empty();
        }
        final String url = href.getValue().strip();
        final String lower = url.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("http://") || lower.startsWith("https://")) || url.startsWith(links.base())) {
            return java.util.Optional.empty();
        }
        final Range value = href.sourceRange().valueRange();
        if (!value.isTracked() || value.endPos() < value.startPos()) {
            return java.util.Optional.empty();
        }
        final String tracked = links.click(url);
        if (tracked == null) {
            return java.util.Optional.empty();
        }
        // the tracked URL is base64url and the public URL: nothing in it needs escaping in an attribute
        return java.util.Optional.of(new Edit(value.startPos(), value.endPos(), tracked));
    }

    /** Before the real {@code </body>} end tag, else before {@code </html>}, else the end. */
    static int insertionPoint(final Document doc, final String html) {
        final Range bodyEnd = doc.body() == null ? null : doc.body().endSourceRange();
        if (bodyEnd != null && bodyEnd.isTracked() && !bodyEnd.isImplicit() && bodyEnd.startPos() >= 0) {
            return bodyEnd.startPos();
        }
        final Range htmlEnd = doc.child(0).endSourceRange();
        if (htmlEnd != null && htmlEnd.isTracked() && !htmlEnd.isImplicit() && htmlEnd.startPos() >= 0) {
            return htmlEnd.startPos();
        }
        return trimmedEnd(html);
    }

    /** The end of the text before its final line breaks, so an appended element stays inside the last line. */
    private static int trimmedEnd(final String html) {
        int end = html.length();
        while (end > 0 && (html.charAt(end - 1) == '\n' || html.charAt(end - 1) == '\r')) {
            end--;
        }
        return end;
    }

    private static String apply(final String html, final List<Edit> edits) {
        if (edits.isEmpty()) {
            return html;
        }
        edits.sort(Comparator.comparingInt(Edit::start));
        final StringBuilder out = new StringBuilder(html.length() + 256 * edits.size());
        int copied = 0;
        for (final Edit edit : edits) {
            if (edit.start() < copied) {
                continue; // overlapping (cannot happen with disjoint attributes; never corrupt the text)
            }
            out.append(html, copied, edit.start()).append(edit.text());
            copied = edit.end();
        }
        return out.append(html, copied, html.length()).toString();
    }

    static String escape(final String text) {
        final StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
