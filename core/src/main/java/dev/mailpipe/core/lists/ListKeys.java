package dev.mailpipe.core.lists;

import java.util.Locale;

/**
 * The keys and the partition of address lists and their members. All members of one list, and
 * every send to it, go to one partition ({@link #partition}) so the expander task that holds the
 * list's members in its state store is the one that expands the send, and a list's members are
 * one contiguous key range there ({@link #memberPrefix}).
 */
public final class ListKeys {

    /** Separates the parts of a key; never part of an api_user or an address we accept. */
    public static final char SEPARATOR = '|';

    private ListKeys() {
    }

    /** A list or member address as keys hold it: stripped, lower case. */
    public static String normalise(final String address) {
        return address.strip().toLowerCase(Locale.ROOT);
    }

    /** Key of a list in {@code mail.address-lists}. */
    public static String list(final String apiUser, final String address) {
        return apiUser + SEPARATOR + normalise(address);
    }

    /** Every member key of the list starts with this. */
    public static String memberPrefix(final String apiUser, final String list) {
        return list(apiUser, list) + SEPARATOR;
    }

    /** Key of a member in {@code mail.address-members}. */
    public static String member(final String apiUser, final String list, final String member) {
        return memberPrefix(apiUser, list) + normalise(member);
    }

    /** The partition of a list's members and of sends to it: a pure function of the list's key. */
    public static int partition(final String apiUser, final String list, final int partitions) {
        return Math.floorMod(list(apiUser, list).hashCode(), partitions);
    }
}
