package dev.mailpipe.expander.tracking;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Readable stand-ins for tokens: {@code https://t.test/c/<url-encoded original>}. */
final class FakeLinks implements Links {

    final List<String> clicked = new ArrayList<>();

    @Override
    public String base() {
        return "https://t.test/";
    }

    @Override
    public String click(final String url) {
        clicked.add(url);
        return "https://t.test/c/" + URLEncoder.encode(url, StandardCharsets.UTF_8).replace("%", "_");
    }

    @Override
    public String open() {
        return "https://t.test/o/OPEN";
    }

    @Override
    public String unsubscribe() {
        return "https://t.test/u/UNSUB";
    }
}
