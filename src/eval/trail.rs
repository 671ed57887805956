//! The nodes a walk visits, in a buffer sized once per program.
//!
//! A walk visits each node at most once (outputs point forward), so a buffer
//! of the program's length holds any path. Writing into it costs a store and
//! an increment; a `Vec::push` per node also reloads and compares the
//! capacity, which was a tenth of a decision.

use crate::compile::{NodeId, PATH_CHUNK};

/// A path: the first `len` entries of `buf`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Trail {
    buf: Vec<NodeId>,
    len: usize,
}

impl Trail {
    /// An empty path with room for `n` nodes.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Trail {
            buf: vec![0; n],
            len: 0,
        }
    }

    /// Empties the path, with room for at least `n` nodes.
    #[inline]
    pub(crate) fn reset(&mut self, n: usize) {
        if self.buf.len() < n {
            self.buf.resize(n, 0);
        }
        self.len = 0;
    }

    /// Appends node `n`; past the room made by [`Trail::reset`] the buffer
    /// grows, so nothing is ever lost.
    #[inline(always)]
    pub(crate) fn push(&mut self, n: NodeId) {
        match self.buf.get_mut(self.len) {
            Some(slot) => *slot = n,
            None => self.grow(n),
        }
        // `len` is below the buffer's length, which fits in memory.
        self.len = self.len.wrapping_add(1);
    }

    /// Makes the path `nodes`.
    #[inline]
    pub(crate) fn set(&mut self, nodes: &[NodeId]) {
        self.len = 0;
        self.extend(nodes);
    }

    /// Makes the path the `len` nodes at `at` in `pool`, given too as a
    /// fixed chunk of [`PATH_CHUNK`] nodes when it is no longer (the rest
    /// of the chunk is ignored): the chunk costs a few moves where a call
    /// to `memcpy` costs tens.
    #[inline(always)]
    pub(crate) fn copy(
        &mut self,
        chunk: Option<&[NodeId; PATH_CHUNK]>,
        pool: &[NodeId],
        at: u32,
        len: u32,
    ) {
        if let Some(from) = chunk
            && let Some(to) = self.buf.first_chunk_mut::<PATH_CHUNK>()
        {
            *to = *from;
            self.len = (len as usize).min(PATH_CHUNK);
            return;
        }
        self.set(crate::eval::range(pool, at, len));
    }

    /// Appends `nodes`, in order.
    #[inline]
    pub(crate) fn extend(&mut self, nodes: &[NodeId]) {
        let end = self.len.wrapping_add(nodes.len());
        match self.buf.get_mut(self.len..end) {
            Some(room) => {
                room.copy_from_slice(nodes);
                self.len = end;
            }
            None => {
                for &n in nodes {
                    self.push(n);
                }
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: NodeId) {
        self.buf.truncate(self.len);
        self.buf.push(n);
    }

    /// The nodes pushed since the last reset.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[NodeId] {
        self.buf.get(..self.len).unwrap_or(&self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::Trail;

    #[test]
    fn pushes_past_the_room_made_are_kept_in_order() {
        let mut t = Trail::with_capacity(2);
        for n in 0..5 {
            t.push(n);
        }
        assert_eq!(t.as_slice(), &[0, 1, 2, 3, 4]);
        t.reset(3);
        assert_eq!(t.as_slice(), &[] as &[u32]);
        t.push(7);
        assert_eq!(t.as_slice(), &[7]);
        t.extend(&[8, 9]);
        t.extend(&[10, 11, 12]);
        assert_eq!(t.as_slice(), &[7, 8, 9, 10, 11, 12]);
        t.set(&[1; 9]);
        assert_eq!(t.as_slice(), &[1; 9]);
    }

    /// A path copied as one chunk, and the two ways it cannot be: no
    /// chunk (a path longer than one), a buffer smaller than the chunk.
    /// Each gives the path itself.
    #[test]
    fn a_copied_path_is_the_path_whether_or_not_it_goes_as_one_chunk() {
        let pool: Vec<u32> = (0..30).collect();
        let chunk = [3, 4, 5, 6, 7, u32::MAX, u32::MAX, u32::MAX];
        let mut t = Trail::with_capacity(16);
        t.copy(Some(&chunk), &pool, 3, 5);
        assert_eq!(t.as_slice(), &[3, 4, 5, 6, 7]);
        t.copy(None, &pool, 2, 11);
        assert_eq!(t.as_slice(), &pool[2..13]);
        let mut small = Trail::with_capacity(3);
        small.copy(Some(&chunk), &pool, 3, 5);
        assert_eq!(small.as_slice(), &[3, 4, 5, 6, 7]);
        // Out of the pool: nothing is read past it.
        small.copy(None, &pool, 28, 5);
        assert_eq!(small.as_slice(), &[] as &[u32]);
    }
}
