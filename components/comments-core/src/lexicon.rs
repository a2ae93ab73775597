//! Word lists: Korean particles (조사) and endings (어미), and the words
//! that say nothing about what a video is about (stopwords). Sentiment
//! words live in `sentiment.rs`, beside the code that weighs them.
//!
//! Lists are matched longest first, so `에서는` wins over `는`.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Particles that almost never end a noun, so stripping them is safe
/// whenever a stem is left. `을/를/은/는` end very few nouns (가을, 마을),
/// and those are protected by the evidence rule in `tokenize.rs` when the
/// stem would be a single syllable.
#[rustfmt::skip]
pub const SAFE_PARTICLES: &[&str] = &[
    "을", "를", "은", "는", "에서", "에게", "으로", "까지", "부터", "처럼", "에는", "에도", "에서는", "에서도", "에게는", "에게도", "에게서", "으로는",
    "으로도", "으로써", "으로서", "한테", "한테는", "한테서", "께서", "께서는", "이랑", "이라도", "라도", "이라고", "라고", "이라는", "라는", "이란", "보다는",
    "마저", "조차", "밖에", "만큼", "이든지", "에다", "에다가", "과는", "와는", "과도", "와도", "로는", "로도", "로서", "로써", "까지는", "까지도", "부터는",
    "만은", "만을", "에선", "에서의", "으로의", "로의", "과의", "와의", "에의", "이며", "이나마",
];

/// Particles that are also the last syllable of common nouns: 고양이,
/// 평가, 회의, 정도, 사과, 경로, 사이나… They are stripped only when the
/// comments themselves show the stem standing on its own (`tokenize.rs`).
pub const AMBIGUOUS_PARTICLES: &[&str] =
    &["이", "가", "의", "도", "와", "과", "로", "만", "나", "에", "랑", "이나", "보다"];

/// Endings after which the stem is a noun: 하다/되다 verbs made from
/// Sino-Korean nouns (공감하다, 이해되다), -스럽다/-적 adjectives and the
/// copula (최고예요, 영상이네요). The stem must keep two syllables, which is
/// what keeps 대한, 역할, 이해 whole.
#[rustfmt::skip]
pub const NOUN_MAKING_ENDINGS: &[&str] = &[
    // 하다
    "하다", "하고", "하는", "하면", "하게", "하기", "하며", "하니", "하여", "하지", "하죠", "하네", "하네요", "하세요", "하시는", "하시고", "하신", "하심",
    "하셨", "하셨어요", "하셨습니다", "하셔서", "하던", "하던데", "하다가", "하다고", "하다는", "하대요", "하잖아요", "하니까", "하는데", "하지만", "하지도", "하기도",
    "하기에", "하기엔", "하려고", "하려면", "하면서", "하시면", "하실", "하자", "합니다", "합니당", "합시다", "해요", "해서", "해야", "해도", "해줘", "해줘요",
    "해주", "해주는", "해주고", "해주세요", "해주셔서", "해주셨", "해주신", "해주시는", "해주시고", "해봐", "해봐요", "해봤", "해보", "해보고", "해보니", "해보세요",
    "해본", "해볼", "해짐", "해진", "해져", "해져요", "해졌", "해졌어요", "했다", "했어", "했어요", "했고", "했는데", "했던", "했으면", "했네요", "했습니다",
    "했지만", "했다가", "했다는", "했음", "했죠", "했을", "했더니", "했었", "했었는데", "한", "할", "함", "할게요", "할께요", "할수", "할때", "할거", "할지",
    "한다", "한다고", "한다는", "한데", "해", "했",
    // 되다
    "되다", "되고", "되는", "되면", "되게", "되기", "되어", "되었", "되었다", "되었어요", "되었습니다", "되네요", "되죠", "되서", "돼서", "돼요", "됐", "됐다",
    "됐어요", "됐습니다", "됐네요", "됐는데", "된", "될", "됨", "된다", "됩니다", "되니", "되지", "되었는데", "되더라고요", "됐던", "돼",
    // -스럽다, -적
    "스럽다", "스러운", "스러워", "스러워요", "스러웠", "스럽네요", "스럽게", "스럽고", "스럽습니다", "적인", "적으로", "적이", "적이다", "적이에요", "적입니다",
    "적이고", "적이라", "적인데", "적",
    // the copula
    "이다", "이고", "이지", "이죠", "이네요", "이에요", "이예요", "예요", "에요", "입니다", "이라서", "이라", "이었", "이었어요", "이었다", "이었는데", "였어요",
    "였다", "였는데", "였던", "이던", "인데", "인가요", "인가", "이니까", "이잖아요", "임",
];

/// Endings that make a predicate whatever precedes them.
#[rustfmt::skip]
pub const PREDICATE_ENDINGS: &[&str] = &[
    "어요", "아요", "여요", "워요", "와요", "봐요", "줘요", "세요", "셔요", "네요", "지요", "죠", "래요", "대요", "게요", "께요", "을까요", "나요", "는데",
    "은데", "던데", "지만", "면서", "으면", "니까", "어서", "아서", "워서", "와서", "려고", "려면", "구나", "군요", "거든요", "잖아", "잖아요", "더라",
    "더라고", "더라고요", "습니다", "읍니다", "는다", "어도", "아도", "으니", "시면", "다면",
];

/// Endings that are predicates only after a stem that looks verbal (or
/// in a word of three syllables or more): bare -다, -네, -게, -고 also end
/// nouns (바다, 동네, 가게, 광고).
pub const SHORT_PREDICATE_ENDINGS: &[&str] = &["다", "네", "게", "고", "요"];

fn set(words: &'static [&'static str]) -> HashSet<&'static str> {
    words.iter().copied().collect()
}

/// One-syllable nouns common enough that `X` + particle (맛이, 말을, 만에)
/// is read as that noun, which is then too short to be a keyword, rather
/// than as a two-syllable noun.
#[rustfmt::skip]
pub fn single_syllable_nouns() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        set(&[
            "맛", "말", "집", "돈", "만", "때", "것", "거", "수", "일", "눈", "손", "발", "몸", "물", "밥", "술", "차", "길", "꿈", "힘",
            "맘", "글", "옷", "책", "잠", "꽃", "빛", "산", "강", "땅", "팁", "편", "분", "번", "줄", "살", "년", "날", "앱", "곡", "뇌",
            "화", "법", "팬", "값", "양", "색", "정", "점", "중", "속", "밤", "낮", "쪽", "층", "키", "컷", "톤", "펜", "폰", "덕", "탓",
            "뜻", "곳", "데", "듯", "척", "채", "김", "빵", "국", "떡", "면", "꿀", "잼", "골", "팀", "벽", "문",
        ])
    })
}

/// Korean words (as stems, after stripping) that are no topic: pronouns,
/// adverbs, fillers, the vocabulary of commenting itself (영상, 댓글, 구독)
/// and praise or complaint words, which sentiment counts instead.
#[rustfmt::skip]
pub fn korean_stopwords() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        set(&[
            "진짜", "정말", "너무", "완전", "그냥", "이거", "이건", "이게", "그거", "그건", "그게", "저거", "저건", "저게", "여기", "거기", "저기",
            "이것", "그것", "저것", "이런", "그런", "저런", "이렇게", "그렇게", "저렇게", "어떻게", "이제", "지금", "오늘", "어제", "내일", "요즘", "항상",
            "계속", "다시", "또한", "그리고", "그래서", "그러나", "그런데", "근데", "하지만", "그래도", "그러니까", "그러면", "그럼", "때문", "정도", "부분",
            "자체", "이번", "저번", "다음", "처음", "마지막", "우리", "저희", "제가", "저는", "나는", "내가", "너무나", "많이", "조금", "약간", "아주",
            "매우", "엄청", "되게", "진심", "솔직히", "사실", "역시", "아마", "혹시", "바로", "벌써", "아직", "이미", "같이", "함께", "모두", "모든",
            "다들", "여러분", "여러", "각자", "자기", "자신", "누구", "무엇", "뭔가", "뭐가", "어디", "언제", "왜냐", "왜냐하면", "영상", "동영상", "댓글",
            "유튜브", "유튜버", "구독", "구독자", "좋아요", "알림", "채널", "사람", "생각", "얘기", "이야기", "느낌", "내용", "말씀", "감사", "최고", "대박",
            "사랑", "좋은", "좋아", "좋네", "좋고", "싫어", "같은", "같아", "같아요", "같고", "보고", "보면", "봐도", "보니", "보는", "있는", "없는",
            "많은", "어떤", "예쁜", "슬픈", "아픈", "기쁜", "나쁜", "바쁜", "쉬운", "어려운", "새로운", "귀여운", "무서운", "아니", "아닌", "아니라",
            "아니고", "안녕", "안녕하세요", "맞아", "맞는", "진짜로", "정말로", "너무너무", "오늘도", "매일", "하나", "하나도", "가장", "제일", "더욱", "점점",
            "계속해서", "앞으로", "덕분", "다른", "모르", "주세요", "해주세요", "부탁", "부탁드립니다", "응원", "화이팅", "파이팅", "ㅋㅋ", "ㅎㅎ", "이분",
            "저분", "그분", "이런거", "그런거", "이렇게나", "얼마나", "어떻게든", "무조건", "그대로", "이후", "이전", "동안", "중간", "마치", "혹은", "또는",
            "만약", "정말요", "진짜요", "대해", "대한", "위해", "위한", "통해", "관련", "그때", "이때", "요번", "번째", "가지", "이상", "이하", "보다",
            "보이", "나오", "나오는", "하면", "해서", "하고", "있고", "없고", "싶어", "싶은", "싶다", "보여", "이해", "설명", "시청", "편집", "업로드",
            "다음편", "이번편", "여러번", "한번", "두번", "한편", "봐요", "와요", "써요", "줘요", "사요", "자요", "커요", "유익", "궁금", "저도", "나도",
            "너도", "저만", "나만", "저한테", "저에게", "제게", "저의", "나의", "우리의", "저랑", "나랑", "저희도", "우리도", "이것도", "그것도", "이거는",
            "요즘은", "이유", "방법", "구체", "추상", "정보", "이름", "후기", "포인트", "버전", "기억", "고민", "진리", "필수", "가까이", "다행", "대신",
            "마음", "문제", "하루", "중간", "길이", "시간", "기간", "오랜만", "생각보다", "확실히", "제대로",
        ])
    })
}

/// English words that are no topic: function words, the vocabulary of
/// commenting, and praise or complaint words (sentiment counts those).
#[rustfmt::skip]
pub fn english_stopwords() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        set(&[
            "the", "and", "for", "are", "but", "not", "you", "your", "yours", "all", "any", "can", "had", "has",
            "have", "her", "his", "him", "she", "they", "them", "their", "there", "these", "those", "this", "that",
            "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "was", "were", "will", "with",
            "would", "could", "should", "about", "above", "after", "again", "against", "also", "been", "before",
            "being", "below", "between", "both", "did", "does", "doing", "down", "during", "each", "few", "from",
            "further", "here", "into", "its", "itself", "just", "more", "most", "myself", "nor", "now", "off", "once",
            "only", "other", "our", "ours", "out", "over", "own", "same", "some", "such", "than", "then", "too",
            "under", "until", "very", "while", "yourself", "because", "really", "much", "many", "even", "still",
            "ever", "every", "everyone", "everything", "something", "anything", "nothing", "thing", "things", "one",
            "two", "first", "get", "got", "make", "made", "know", "think", "see", "saw", "seen", "say", "said",
            "like", "likes", "liked", "love", "loved", "loves", "good", "great", "nice", "amazing", "awesome", "best",
            "better", "thanks", "thank", "please", "video", "videos", "channel", "comment", "comments", "youtube",
            "subscribe", "subscribed", "watch", "watching", "watched", "content", "guys", "people", "lol", "lmao",
            "omg", "wow", "yes", "yeah", "okay", "way", "lot", "lots", "well", "want", "need", "time", "day", "today",
            "year", "years", "don", "didn", "doesn", "isn", "wasn", "can't", "cant", "dont", "im", "i'm", "it's",
            "you're", "that's", "let", "go", "going", "come", "look", "looks", "feel", "feels", "felt", "keep",
            "always", "never", "maybe", "actually", "literally", "definitely", "probably", "almost", "already",
            "though", "although", "since", "without", "within", "around", "through", "via", "bad", "worst", "boring",
            "interesting", "helpful", "useful", "beautiful", "perfect", "excellent", "cool", "fun", "funny", "hope",
            "wish", "new", "old", "big", "little", "part", "next", "last",
        ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_ending_is_listed_twice_within_a_list() {
        for list in [SAFE_PARTICLES, AMBIGUOUS_PARTICLES, NOUN_MAKING_ENDINGS, PREDICATE_ENDINGS] {
            let unique: HashSet<_> = list.iter().collect();
            assert_eq!(unique.len(), list.len());
        }
    }
}
