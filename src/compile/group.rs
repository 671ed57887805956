//! A front table's string tests on one slot as one lookup: a table of the
//! slot's words under a hash that separates them, found when the program is
//! compiled.

use super::SlotId;
use super::table::Root;

/// The string tests of one slot as one lookup: a table of the slot's words
/// (`Root::words[at..at + 2^(64 - shift)]`) under a hash with no collision
/// among them, found when the program is compiled. A request's value selects
/// one entry; one comparison of its four words with the value's says whether
/// it is that word, and the entry holds the bits of every test the word
/// passes. Any other value, or none, selects an entry it does not equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StrGroup {
    pub(crate) slot: SlotId,
    pub(crate) seed: u64,
    pub(crate) shift: u32,
    pub(crate) at: u32,
    /// The bits of the presence tests on the slot, which the lookup's read
    /// of the slot settles too: by the first part of the slot's
    /// `Request::word_parts` (its type), zero for a slot without a value.
    /// A load, where a select on the type became a branch.
    pub(crate) present: [usize; 4],
}

/// An entry of a [`StrGroup`]'s table: a word (length, bytes 0–8 and 8–16)
/// and the bits of the tests it passes. A vacant entry's length is no
/// string's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GroupWord {
    pub(crate) len: u64,
    pub(crate) head: u64,
    pub(crate) second: u64,
    pub(crate) bits: usize,
}

/// A vacant [`GroupWord`].
pub(crate) const VACANT_WORD: GroupWord = GroupWord {
    len: u64::MAX,
    head: 0,
    second: 0,
    bits: 0,
};

/// The entry of a [`StrGroup`] whose table has `64 - shift` bits a word of
/// `len` bytes (`head`, `second`) selects. Cheap and branch-free; the seed
/// is what makes it collision-free for the group's words.
#[inline(always)]
pub(crate) fn group_slot(len: u64, head: u64, second: u64, seed: u64, shift: u32) -> usize {
    let mixed = (head ^ second.rotate_left(29) ^ len.rotate_left(53)).wrapping_mul(seed);
    // `shift` is at most 63 (tables have two entries or more).
    (mixed >> (shift & 63)) as usize
}

/// Most words one slot's table is built for; more stay separate tests.
pub(super) const GROUP_WORDS: usize = 64;

impl Root {
    /// Turns the string tests of each slot with several words into one
    /// lookup ([`StrGroup`]), when a seed separating its words is found; the
    /// slot's presence tests join the lookup.
    /// `long` are the lists past [`super::SCAN`] words that were filed word by
    /// word for this: one whose slot gets no table goes back to the general
    /// test, a search, rather than stay a test per word.
    pub(super) fn group_strings(&mut self, long: &[(super::Test, usize)]) {
        let mut slots: Vec<SlotId> = self.strs.iter().map(|t| t.slot).collect();
        slots.sort_unstable();
        slots.dedup();
        for slot in slots {
            // One entry per distinct word, with the bits of all its tests.
            let mut words: Vec<GroupWord> = Vec::new();
            for t in self.strs.iter().filter(|t| t.slot == slot) {
                let (len, head) = (u64::from(t.word.len), t.word.head);
                match words
                    .iter_mut()
                    .find(|w| (w.len, w.head, w.second) == (len, head, t.second))
                {
                    Some(w) => w.bits |= t.bit,
                    None => words.push(GroupWord {
                        len,
                        head,
                        second: t.second,
                        bits: t.bit,
                    }),
                }
            }
            // From two words on, a lookup costs less than a test per word
            // (on the anchor route's plan and region, 363 instructions per
            // decision against 373).
            if words.len() < 2 || words.len() > GROUP_WORDS {
                continue;
            }
            let Some((seed, shift, table)) = separate(&words) else {
                continue;
            };
            let Ok(at) = u32::try_from(self.words.len()) else {
                return;
            };
            self.words.extend(table);
            let present = self
                .present
                .iter()
                .filter(|&&(s, _)| s == slot)
                .fold(0, |bits, &(_, bit)| bits | bit);
            self.present.retain(|&(s, _)| s != slot);
            let mut present = [present; 4];
            if let Some(absent) = present.get_mut(crate::eval::ABSENT as usize) {
                *absent = 0;
            }
            self.groups.push(StrGroup {
                slot,
                seed,
                shift,
                at,
                present,
            });
            self.strs.retain(|t| t.slot != slot);
        }
        for &(test, bit) in long {
            let super::Test::InStrs { slot, .. } = test else {
                continue;
            };
            if !self.groups.iter().any(|g| g.slot == slot) {
                self.strs.retain(|t| !(t.slot == slot && t.bit == bit));
                self.others.push((test, bit));
            }
        }
    }
}

/// A seed and table size under which [`group_slot`] sends each of `words`
/// to an entry of its own, and that table: the smallest table of at least
/// twice as many entries as words that one of a fixed sequence of seeds
/// separates (the same seeds every time, so a program compiles the same).
fn separate(words: &[GroupWord]) -> Option<(u64, u32, Vec<GroupWord>)> {
    let mut size = words.len().saturating_mul(2).next_power_of_two().max(2);
    for _ in 0..3 {
        let shift = 64u32.checked_sub(size.trailing_zeros())?;
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..256 {
            // Odd multipliers from a splitmix-style sequence.
            seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let candidate = (seed ^ (seed >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9) | 1;
            let mut table = vec![VACANT_WORD; size];
            let placed = words.iter().all(|w| {
                let i = group_slot(w.len, w.head, w.second, candidate, shift);
                match table.get_mut(i) {
                    Some(e) if *e == VACANT_WORD => {
                        *e = *w;
                        true
                    }
                    _ => false,
                }
            });
            if placed {
                return Some((candidate, shift, table));
            }
        }
        size = size.saturating_mul(2);
    }
    None
}
