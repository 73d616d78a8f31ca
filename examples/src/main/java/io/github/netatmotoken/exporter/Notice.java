package io.github.netatmotoken.exporter;

/**
 * What the status page says once after an authorization step, named in its URL ({@code ?notice=authorized}):
 * a fixed text per code, so that nothing from the URL reaches the page.
 */
enum Notice {
    AUTHORIZED("authorized", true, "Authorized with NetAtmo: the new token is saved."),
    TOKEN_ACCEPTED("token-accepted", true, "The pasted refresh token works: NetAtmo renewed it, and the exporter"
            + " now uses and keeps the new token."),
    TOKEN_REFUSED("token-refused", false, "NetAtmo refused the pasted refresh token: it is mistyped, was already"
            + " used (each refresh token works once), or belongs to another app. Nothing was changed: the exporter"
            + " keeps its current token."),
    TOKEN_UNCHECKED("token-unchecked", false, "The pasted refresh token could not be checked: NetAtmo did not"
            + " answer in time. Nothing was changed; try again in a minute (the exporter's log says what failed)."),
    BUSY("busy", false, "The exporter is checking other tokens with NetAtmo right now, so it did not try the pasted"
            + " one. Nothing was changed; paste it again in a few seconds."),
    TOKEN_MISSING("token-missing", false, "Paste the refresh token from your app's token generator at"
            + " dev.netatmo.com/apps, without spaces. Nothing was changed."),
    FORM_EXPIRED("form-expired", false, "The form was made before the exporter last restarted, so it could not be"
            + " checked. Nothing was changed; paste the token again.");

    private final String code;
    private final boolean success;
    private final String text;

    Notice(String code, boolean success, String text) {
        this.code = code;
        this.success = success;
        this.text = text;
    }

    /** The value of the {@code notice} query parameter. */
    String code() {
        return code;
    }

    boolean success() {
        return success;
    }

    String text() {
        return text;
    }

    /** The notice with this code, or {@code null} for none or an unknown one. */
    static Notice of(String code) {
        for (Notice n : values()) {
            if (n.code.equals(code)) {
                return n;
            }
        }
        return null;
    }
}
