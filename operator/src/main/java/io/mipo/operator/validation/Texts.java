package io.mipo.operator.validation;

/** How a caller's value is quoted in an error message: cut, so a huge input does not come back whole. */
public final class Texts {
    /** The default length of a quoted value in a field error. */
    public static final int QUOTED = 80;

    private Texts() {
    }

    /** The value cut to {@link #QUOTED} characters, "..." marking a cut. */
    public static String abbreviate(String s) {
        return abbreviate(s, QUOTED);
    }

    /** The value cut to {@code max} characters, the last three of them "..." when it was longer. */
    public static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
