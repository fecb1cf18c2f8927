package dev.mailpipe.core.accounts;

/**
 * The login name a client gave, split as SendCloud does: {@code api_user#label_id} is the account
 * {@code api_user} with the label {@code label_id}; without {@code #} there is no label.
 */
public record Credentials(String apiUser, String label) {

    public static Credentials parse(final String login) {
        final int hash = login.indexOf('#');
        if (hash < 0) {
            return new Credentials(login, null);
        }
        final String label = login.substring(hash + 1);
        return new Credentials(login.substring(0, hash), label.isEmpty() ? null : label);
    }
}
