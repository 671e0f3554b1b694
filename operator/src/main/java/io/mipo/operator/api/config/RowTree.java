package io.mipo.operator.api.config;

import java.util.Comparator;
import java.util.function.Consumer;

/**
 * A persistent (immutable, path-copying) AVL tree of rows in one sort order, each node knowing the
 * size of its subtree. Adding or removing a row copies the O(log n) nodes on its path and shares
 * the rest with the previous tree, so a reader holding an older root keeps a consistent order while
 * the writer moves on; the i-th row is found in O(log n), which is how an unfiltered page is cut.
 * The comparator must be a total order (every sort key ends with the unique id).
 */
final class RowTree {
    private RowTree() {
    }

    static final class Node {
        final ScannerRow row;
        final Node left;
        final Node right;
        final int size;
        final int height;

        Node(ScannerRow row, Node left, Node right) {
            this.row = row;
            this.left = left;
            this.right = right;
            this.size = size(left) + size(right) + 1;
            this.height = Math.max(height(left), height(right)) + 1;
        }
    }

    static int size(Node n) {
        return n == null ? 0 : n.size;
    }

    static int height(Node n) {
        return n == null ? 0 : n.height;
    }

    /** The tree with {@code row} added (or replacing the row the comparator calls equal). */
    static Node insert(Node n, ScannerRow row, Comparator<ScannerRow> order) {
        if (n == null) {
            return new Node(row, null, null);
        }
        int c = order.compare(row, n.row);
        if (c < 0) {
            return balance(n.row, insert(n.left, row, order), n.right);
        }
        if (c > 0) {
            return balance(n.row, n.left, insert(n.right, row, order));
        }
        return new Node(row, n.left, n.right);
    }

    /** The tree without the row the comparator calls equal to {@code row}; the same tree when there is none. */
    static Node remove(Node n, ScannerRow row, Comparator<ScannerRow> order) {
        if (n == null) {
            return null;
        }
        int c = order.compare(row, n.row);
        if (c < 0) {
            Node l = remove(n.left, row, order);
            return l == n.left ? n : balance(n.row, l, n.right);
        }
        if (c > 0) {
            Node r = remove(n.right, row, order);
            return r == n.right ? n : balance(n.row, n.left, r);
        }
        if (n.left == null) {
            return n.right;
        }
        if (n.right == null) {
            return n.left;
        }
        Node min = n.right;
        while (min.left != null) {
            min = min.left;
        }
        return balance(min.row, n.left, removeMin(n.right));
    }

    private static Node removeMin(Node n) {
        if (n.left == null) {
            return n.right;
        }
        return balance(n.row, removeMin(n.left), n.right);
    }

    private static Node balance(ScannerRow row, Node l, Node r) {
        int hl = height(l);
        int hr = height(r);
        if (hl > hr + 1) {
            if (height(l.left) >= height(l.right)) {
                return new Node(l.row, l.left, new Node(row, l.right, r));
            }
            return new Node(l.right.row, new Node(l.row, l.left, l.right.left), new Node(row, l.right.right, r));
        }
        if (hr > hl + 1) {
            if (height(r.right) >= height(r.left)) {
                return new Node(r.row, new Node(row, l, r.left), r.right);
            }
            return new Node(r.left.row, new Node(row, l, r.left.left), new Node(r.row, r.left.right, r.right));
        }
        return new Node(row, l, r);
    }

    /** A balanced tree of rows already in order, in O(n). */
    static Node build(ScannerRow[] sorted, int from, int to) {
        if (from >= to) {
            return null;
        }
        int mid = (from + to) >>> 1;
        return new Node(sorted[mid], build(sorted, from, mid), build(sorted, mid + 1, to));
    }

    /** The row at {@code index} (0-based, in order). */
    static ScannerRow get(Node n, int index) {
        while (n != null) {
            int l = size(n.left);
            if (index < l) {
                n = n.left;
            } else if (index == l) {
                return n.row;
            } else {
                index -= l + 1;
                n = n.right;
            }
        }
        throw new IndexOutOfBoundsException(index);
    }

    /** Every row in order. */
    static void forEach(Node n, Consumer<ScannerRow> action) {
        Cursor c = new Cursor(n, 0, false);
        for (ScannerRow r = c.next(); r != null; r = c.next()) {
            action.accept(r);
        }
    }

    /** Every row in order, as an array. */
    static ScannerRow[] toArray(Node n) {
        ScannerRow[] out = new ScannerRow[size(n)];
        int[] i = {0};
        forEach(n, r -> out[i[0]++] = r);
        return out;
    }

    /**
     * Walks the rows in order (or in reverse) from a position, with an explicit stack: no
     * recursion, no allocation per row. Not thread-safe; the tree it walks never changes.
     */
    static final class Cursor {
        private final Node[] stack;
        private int depth;
        private final boolean reverse;

        /** Positioned before the row at {@code skip} (counted from the end when {@code reverse}). */
        Cursor(Node root, int skip, boolean reverse) {
            this.stack = new Node[height(root) + 1];
            this.reverse = reverse;
            Node n = root;
            while (n != null) {
                Node near = reverse ? n.right : n.left;
                int s = size(near);
                if (skip < s) {
                    stack[depth++] = n;
                    n = near;
                } else if (skip == s) {
                    stack[depth++] = n;
                    break;
                } else {
                    skip -= s + 1;
                    n = reverse ? n.left : n.right;
                }
            }
        }

        /** The next row, null after the last. */
        ScannerRow next() {
            if (depth == 0) {
                return null;
            }
            Node n = stack[--depth];
            Node far = reverse ? n.left : n.right;
            while (far != null) {
                stack[depth++] = far;
                far = reverse ? far.right : far.left;
            }
            return n.row;
        }
    }
}
