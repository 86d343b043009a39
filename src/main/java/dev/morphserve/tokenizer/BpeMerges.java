package dev.morphserve.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The merge table of a byte-level BPE vocabulary ({@code tokenizer.ggml.merges}, "left right"
 * strings, earlier = applied first) and the merging of one word with it: repeatedly join the
 * adjacent pair of lowest rank, leftmost on ties, until no adjacent pair has a rank. This is
 * llama.cpp's {@code llm_tokenizer_bpe_session} order, kept in O(n log n) with a priority queue.
 */
final class BpeMerges {
    private final Map<String, Integer> ranks;

    BpeMerges(List<String> merges) {
        ranks = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            ranks.putIfAbsent(merges.get(rank), rank);
        }
    }

    /**
     * The symbols a word ends up as. The word is byte-level text: every character is a BMP stand-in
     * for one byte, so symbol {@code i} always starts at character {@code i} and only grows right.
     */
    List<String> apply(String word) {
        int n = word.length();
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // (rank << 32 | left): lowest rank first, then leftmost, as llama.cpp's comparator orders.
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, word, length, next, i);
        }
        while (!queue.isEmpty()) {
            long entry = queue.poll();
            int left = (int) entry;
            int right = next[left];
            // Stale: a side was merged away or grew since; only the pair's current rank counts.
            if (length[left] == 0 || right < 0 || rank(word, length, left, right) != (int) (entry >>> 32)) {
                continue;
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, word, length, next, prev[left]);
            }
            offer(queue, word, length, next, left);
        }
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            symbols.add(word.substring(i, i + length[i]));
        }
        return symbols;
    }

    private void offer(PriorityQueue<Long> queue, String word, int[] length, int[] next, int left) {
        int right = next[left];
        if (right < 0) {
            return;
        }
        int rank = rank(word, length, left, right);
        if (rank >= 0) {
            queue.add(((long) rank << 32) | left);
        }
    }

    private int rank(String word, int[] length, int left, int right) {
        String pair = word.substring(left, left + length[left]) + ' ' + word.substring(right, right + length[right]);
        Integer rank = ranks.get(pair);
        return rank == null ? -1 : rank;
    }
}
