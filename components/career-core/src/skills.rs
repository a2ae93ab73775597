//! The skill dictionary and the matcher that finds its skills in text.
//!
//! Each skill has one canonical name (what the API reports) and the ways
//! Korean and English résumés and postings write it (`리액트`, `ReactJS`,
//! `k8s`, `스프링 부트`). Matching is on token boundaries so a skill is never
//! read out of a longer word: `Java` is not in `JavaScript`, `Go` not in
//! `Google`, `SQL` not in `MySQL`, `뷰` not in `리뷰`. Where two spellings
//! overlap the longer one wins (`스프링부트` is Spring Boot, not Spring).

use std::sync::LazyLock;

use crate::text::is_hangul;

/// What a skill is, so questions and suggestions can be worded for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Language,
    Frontend,
    Mobile,
    Backend,
    Database,
    Cloud,
    DevOps,
    Data,
    Testing,
    Tool,
    Practice,
    Soft,
}

impl Kind {
    /// Korean label used in sentences (`클라우드 역량`).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Language => "프로그래밍 언어",
            Kind::Frontend => "프론트엔드",
            Kind::Mobile => "모바일",
            Kind::Backend => "백엔드",
            Kind::Database => "데이터베이스",
            Kind::Cloud => "클라우드",
            Kind::DevOps => "인프라/DevOps",
            Kind::Data => "데이터/AI",
            Kind::Testing => "테스트",
            Kind::Tool => "협업 도구",
            Kind::Practice => "개발 방법론",
            Kind::Soft => "소프트 스킬",
        }
    }

    /// Whether it is a technical skill (everything but soft skills).
    pub fn is_technical(self) -> bool {
        self != Kind::Soft
    }
}

/// One skill: its canonical name, kind and spellings.
#[derive(Debug, PartialEq, Eq)]
pub struct Skill {
    pub name: &'static str,
    pub kind: Kind,
    /// Other spellings besides `name`. Matched without regard to ASCII case,
    /// except those starting with `=` (the `=` is not part of the spelling):
    /// `=Go` is the language, `go` the verb.
    pub aliases: &'static [&'static str],
}

macro_rules! skills {
    ($($kind:ident: [$($name:literal => [$($alias:literal),* $(,)?]),* $(,)?]),* $(,)?) => {
        &[$($(Skill { name: $name, kind: Kind::$kind, aliases: &[$($alias),*] },)*)*]
    };
}

/// Every skill the matcher knows.
pub static SKILLS: &[Skill] = skills! {
    Language: [
        "JavaScript" => ["JS", "자바스크립트", "ECMAScript", "ES6", "ES2015", "바닐라 JS", "Vanilla JS"],
        "TypeScript" => ["TS", "타입스크립트"],
        "Java" => ["자바"],
        "Python" => ["파이썬", "Python3"],
        "Go" => ["=Go", "Golang", "고랭", "Go언어", "Go 언어"],
        "Kotlin" => ["코틀린"],
        "Swift" => ["스위프트"],
        "Objective-C" => ["ObjC", "Obj-C", "오브젝티브C", "오브젝티브-C"],
        "C" => ["=C", "C언어", "C 언어", "C language"],
        "C++" => ["CPP", "씨쁠쁠"],
        "C#" => ["CSharp", "C Sharp", "씨샵"],
        "Rust" => ["러스트"],
        "Ruby" => ["루비"],
        "PHP" => [],
        "Scala" => ["스칼라"],
        "R" => ["=R", "R언어", "R 언어", "R language"],
        "Dart" => ["다트 언어"],
        "SQL" => [],
        "HTML" => ["HTML5"],
        "CSS" => ["CSS3"],
        "Shell Script" => ["Bash", "Shell", "셸 스크립트", "쉘 스크립트", "쉘"],
        "Elixir" => ["엘릭서"],
        "Haskell" => ["하스켈"],
        "Lua" => ["루아"],
        "Perl" => ["펄"],
        "MATLAB" => ["매트랩"],
        "Solidity" => ["솔리디티"],
        "Groovy" => ["그루비"],
    ],
    Frontend: [
        "React" => ["React.js", "ReactJS", "리액트", "리엑트"],
        "Vue.js" => ["Vue", "VueJS", "Vue3", "Vue 3", "뷰JS", "뷰.js", "뷰제이에스"],
        "Angular" => ["AngularJS", "앵귤러"],
        "Next.js" => ["NextJS", "넥스트JS", "넥스트.js", "넥스트"],
        "Nuxt.js" => ["Nuxt", "NuxtJS", "넉스트"],
        "Svelte" => ["SvelteKit", "스벨트"],
        "Redux" => ["Redux Toolkit", "RTK", "리덕스"],
        "Recoil" => ["리코일"],
        "Zustand" => ["주스탄드"],
        "MobX" => ["몹엑스"],
        "React Query" => ["TanStack Query", "리액트 쿼리", "리액트쿼리"],
        "jQuery" => ["제이쿼리"],
        "Tailwind CSS" => ["Tailwind", "TailwindCSS", "테일윈드"],
        "Sass" => ["SCSS"],
        "styled-components" => ["styled components", "스타일드 컴포넌트"],
        "Webpack" => ["웹팩"],
        "Vite" => ["ViteJS"],
        "Babel" => ["바벨"],
        "GraphQL" => ["그래프QL", "그래프큐엘"],
        "Apollo" => ["Apollo Client", "Apollo Server", "아폴로"],
        "Storybook" => ["스토리북"],
        "Three.js" => ["ThreeJS", "쓰리JS"],
        "WebSocket" => ["웹소켓", "Socket.IO", "웹 소켓"],
        "PWA" => ["Progressive Web App"],
        "Responsive Web" => ["반응형 웹", "반응형웹", "Responsive Design", "반응형 디자인"],
        "Web Accessibility" => ["웹 접근성", "웹접근성", "a11y", "WCAG"],
        "SEO" => ["검색 엔진 최적화"],
    ],
    Mobile: [
        "Android" => ["안드로이드"],
        "iOS" => [],
        "React Native" => ["리액트 네이티브", "리액트네이티브"],
        "Flutter" => ["플러터"],
        "SwiftUI" => [],
        "Jetpack Compose" => ["컴포즈"],
    ],
    Backend: [
        "Spring" => ["Spring Framework", "스프링", "스프링 프레임워크"],
        "Spring Boot" => ["SpringBoot", "스프링부트", "스프링 부트"],
        "Spring Security" => ["스프링 시큐리티"],
        "Spring Cloud" => ["스프링 클라우드"],
        "Spring Batch" => ["스프링 배치"],
        "JPA" => ["Spring Data JPA", "Hibernate", "하이버네이트"],
        "MyBatis" => ["마이바티스", "iBatis"],
        "QueryDSL" => ["쿼리DSL"],
        "Node.js" => ["NodeJS", "=Node", "노드", "노드JS", "노드.js", "노드제이에스"],
        "Express" => ["Express.js", "ExpressJS", "=Express", "익스프레스"],
        "NestJS" => ["Nest.js", "=Nest", "네스트JS"],
        "Django" => ["장고", "DRF", "Django REST Framework"],
        "Flask" => ["플라스크"],
        "FastAPI" => ["패스트API"],
        "Ruby on Rails" => ["Rails", "RoR", "레일즈"],
        "Laravel" => ["라라벨"],
        ".NET" => ["ASP.NET", "닷넷", ".NET Core", "dotnet"],
        "gRPC" => [],
        "REST API" => ["=REST", "RESTful", "RESTful API", "REST APIs", "레스트 API", "레스트풀"],
        "Kafka" => ["Apache Kafka", "카프카"],
        "RabbitMQ" => ["래빗MQ", "래빗엠큐"],
        "Redis" => ["레디스"],
        "Elasticsearch" => ["Elastic Search", "엘라스틱서치", "엘라스틱 서치", "OpenSearch"],
        "Nginx" => ["엔진엑스"],
        "Tomcat" => ["Apache Tomcat", "톰캣"],
        "Microservices" => ["MSA", "Microservice", "Microservice Architecture", "마이크로서비스", "마이크로 서비스"],
        "WebFlux" => ["Spring WebFlux", "웹플럭스"],
        "OAuth" => ["OAuth2", "OAuth 2.0", "오어스"],
        "JWT" => ["JSON Web Token"],
        "Message Queue" => ["메시지 큐", "메시지큐", "MQ"],
    ],
    Database: [
        "MySQL" => ["마이SQL", "마이에스큐엘"],
        "PostgreSQL" => ["Postgres", "포스트그레스", "포스트그레SQL", "포스트그레스큐엘"],
        "Oracle" => ["Oracle DB", "오라클"],
        "MariaDB" => ["마리아DB"],
        "MongoDB" => ["Mongo", "몽고DB", "몽고디비"],
        "SQLite" => [],
        "DynamoDB" => ["다이나모DB"],
        "Cassandra" => ["카산드라"],
        "MSSQL" => ["SQL Server", "MS SQL", "MS-SQL"],
        "Firebase" => ["Firestore", "파이어베이스"],
        "NoSQL" => [],
        "RDBMS" => ["관계형 데이터베이스", "관계형 DB", "RDB"],
        "Data Modeling" => ["데이터 모델링", "데이터모델링", "DB 설계", "데이터베이스 설계", "DB 모델링"],
        "Query Optimization" => ["쿼리 튜닝", "쿼리 최적화", "SQL 튜닝", "Query Tuning", "SQL Tuning"],
    ],
    Cloud: [
        "AWS" => ["Amazon Web Services", "아마존 웹 서비스", "아마존웹서비스"],
        "GCP" => ["Google Cloud", "Google Cloud Platform", "구글 클라우드"],
        "Azure" => ["Microsoft Azure", "애저", "애져"],
        "Naver Cloud" => ["NCP", "Naver Cloud Platform", "네이버 클라우드", "네이버클라우드"],
        "EC2" => ["Amazon EC2"],
        "S3" => ["Amazon S3"],
        "RDS" => ["Amazon RDS", "Aurora"],
        "AWS Lambda" => ["=Lambda", "람다 함수"],
        "ECS" => ["Fargate"],
        "EKS" => ["Amazon EKS"],
        "CloudFront" => ["클라우드프론트"],
        "Serverless" => ["서버리스"],
    ],
    DevOps: [
        "Docker" => ["도커", "Docker Compose", "도커 컴포즈"],
        "Kubernetes" => ["K8s", "쿠버네티스", "쿠버"],
        "Helm" => ["헬름"],
        "Terraform" => ["테라폼"],
        "Ansible" => ["앤서블"],
        "Jenkins" => ["젠킨스"],
        "GitHub Actions" => ["GitHub Action", "깃허브 액션", "깃헙 액션"],
        "GitLab CI" => ["GitLab-CI", "GitLab CI/CD"],
        "Argo CD" => ["ArgoCD", "아르고CD"],
        "CI/CD" => ["CICD", "CI / CD", "지속적 통합", "지속적 배포", "배포 자동화", "배포 파이프라인"],
        "Linux" => ["리눅스", "Ubuntu", "우분투", "CentOS"],
        "Prometheus" => ["프로메테우스"],
        "Grafana" => ["그라파나"],
        "ELK Stack" => ["ELK", "Kibana", "Logstash", "키바나"],
        "Datadog" => ["데이터독"],
        "Sentry" => ["센트리"],
        "Monitoring" => ["모니터링", "observability", "옵저버빌리티"],
    ],
    Data: [
        "Machine Learning" => ["ML", "머신러닝", "머신 러닝", "기계학습", "기계 학습"],
        "Deep Learning" => ["DL", "딥러닝", "딥 러닝"],
        "TensorFlow" => ["텐서플로", "텐서플로우", "Keras", "케라스"],
        "PyTorch" => ["파이토치"],
        "scikit-learn" => ["sklearn", "사이킷런"],
        "Pandas" => ["판다스"],
        "NumPy" => ["넘파이"],
        "Spark" => ["Apache Spark", "PySpark", "스파크"],
        "Hadoop" => ["하둡", "HDFS"],
        "Airflow" => ["Apache Airflow", "에어플로우"],
        "NLP" => ["자연어 처리", "자연어처리", "Natural Language Processing"],
        "Computer Vision" => ["컴퓨터 비전", "컴퓨터비전", "OpenCV"],
        "LLM" => ["대규모 언어 모델", "Large Language Model", "Large Language Models", "GPT"],
        "LangChain" => ["랭체인"],
        "RAG" => ["Retrieval-Augmented Generation", "검색 증강 생성"],
        "Data Analysis" => ["데이터 분석", "데이터분석", "Data Analytics"],
        "Tableau" => ["태블로"],
        "BigQuery" => ["빅쿼리"],
        "Snowflake" => ["스노우플레이크"],
        "MLOps" => ["엠엘옵스"],
        "Hugging Face" => ["HuggingFace", "허깅페이스"],
        "ETL" => ["데이터 파이프라인", "Data Pipeline"],
        "Statistics" => ["통계", "통계 분석", "통계적 분석", "통계학"],
        "A/B Testing" => ["A/B 테스트", "AB 테스트", "AB테스트", "A/B test", "A/B tests", "A/B testing"],
    ],
    Testing: [
        "Jest" => ["제스트"],
        "JUnit" => ["JUnit5", "제이유닛"],
        "pytest" => [],
        "Cypress" => ["사이프레스"],
        "Playwright" => ["플레이라이트"],
        "Selenium" => ["셀레니움"],
        "Mockito" => [],
        "TDD" => ["테스트 주도 개발", "Test-Driven Development", "Test Driven Development"],
        "Unit Testing" => ["Unit Test", "Unit Tests", "단위 테스트", "단위테스트", "유닛 테스트", "테스트 코드", "테스트코드"],
        "Testing Library" => ["React Testing Library", "RTL"],
    ],
    Tool: [
        "Git" => ["깃"],
        "GitHub" => ["깃허브", "깃헙"],
        "GitLab" => ["깃랩"],
        "Jira" => ["지라"],
        "Confluence" => ["컨플루언스"],
        "Figma" => ["피그마"],
        "Postman" => ["포스트맨"],
        "Swagger" => ["OpenAPI", "스웨거"],
        "Slack" => ["슬랙"],
        "Notion" => ["노션"],
    ],
    Practice: [
        "Agile" => ["애자일"],
        "Scrum" => ["스크럼"],
        "OOP" => ["객체지향", "객체 지향", "Object-Oriented", "Object Oriented Programming", "객체지향 프로그래밍"],
        "Design Patterns" => ["Design Pattern", "디자인 패턴", "디자인패턴"],
        "Algorithms" => ["Algorithm", "알고리즘", "자료구조", "Data Structures"],
        "DDD" => ["도메인 주도 설계", "Domain-Driven Design", "Domain Driven Design"],
        "System Design" => ["시스템 설계", "시스템 디자인"],
        "Distributed Systems" => ["분산 시스템", "분산시스템", "Distributed System"],
        "Web Security" => ["웹 보안", "OWASP", "보안 취약점"],
        "Performance Optimization" => ["성능 최적화", "성능 개선", "성능최적화", "Performance Tuning"],
        "TCP/IP" => ["TCP", "네트워크 프로토콜"],
        "Clean Architecture" => ["클린 아키텍처", "헥사고날 아키텍처", "Hexagonal Architecture"],
        "Refactoring" => ["리팩토링", "리팩터링"],
    ],
    Soft: [
        "Communication" => ["커뮤니케이션", "의사소통", "소통"],
        "Collaboration" => ["협업", "Teamwork", "팀워크"],
        "Leadership" => ["리더십", "리더쉽"],
        "Problem Solving" => ["Problem-solving", "문제 해결", "문제해결"],
        "Documentation" => ["문서화", "기술 문서"],
        "Code Review" => ["코드 리뷰", "코드리뷰", "Code Reviews"],
        "Mentoring" => ["멘토링"],
        "Self-directed Learning" => ["자기주도", "자기 주도", "Self-motivated", "Self-learning"],
        "English" => ["영어", "비즈니스 영어", "TOEIC", "토익", "OPIc", "오픽"],
        "Project Management" => ["프로젝트 관리", "일정 관리"],
    ],
};

impl Skill {
    /// The name to use inside a Korean sentence: soft skills and practices by
    /// their Korean word (`협업`, `리팩토링`), technologies by their own name.
    pub fn spoken(&self) -> &'static str {
        if matches!(self.kind, Kind::Soft | Kind::Practice)
            && let Some(korean) = self.aliases.iter().find(|a| a.chars().any(is_hangul))
        {
            return korean;
        }
        self.name
    }
}

/// The skill named `name` (canonical name, exact).
pub fn by_name(name: &str) -> Option<&'static Skill> {
    SKILLS.iter().find(|s| s.name == name)
}

/// Skills that show another (EC2 is AWS experience, Spring Boot is Spring
/// experience): a résumé with the first meets a posting's call for the
/// second. Extraction still reports only what the text names.
const IMPLIES: &[(&str, &str)] = &[
    ("EC2", "AWS"),
    ("S3", "AWS"),
    ("RDS", "AWS"),
    ("AWS Lambda", "AWS"),
    ("ECS", "AWS"),
    ("EKS", "AWS"),
    ("EKS", "Kubernetes"),
    ("CloudFront", "AWS"),
    ("DynamoDB", "AWS"),
    ("Spring Boot", "Spring"),
    ("Spring Security", "Spring"),
    ("Spring Cloud", "Spring"),
    ("Spring Batch", "Spring"),
    ("WebFlux", "Spring"),
    ("Next.js", "React"),
    ("React Native", "React"),
    ("Nuxt.js", "Vue.js"),
    ("NestJS", "Node.js"),
    ("Express", "Node.js"),
    ("NestJS", "TypeScript"),
    ("Django", "Python"),
    ("Flask", "Python"),
    ("FastAPI", "Python"),
    ("Pandas", "Python"),
    ("PyTorch", "Python"),
    ("JPA", "Java"),
    ("MariaDB", "MySQL"),
    ("MySQL", "RDBMS"),
    ("MariaDB", "RDBMS"),
    ("PostgreSQL", "RDBMS"),
    ("Oracle", "RDBMS"),
    ("MSSQL", "RDBMS"),
    ("SQLite", "RDBMS"),
    ("MySQL", "SQL"),
    ("PostgreSQL", "SQL"),
    ("Oracle", "SQL"),
    ("MSSQL", "SQL"),
    ("MongoDB", "NoSQL"),
    ("DynamoDB", "NoSQL"),
    ("Cassandra", "NoSQL"),
    ("Redis", "NoSQL"),
    ("Scrum", "Agile"),
    ("GitHub", "Git"),
    ("GitLab", "Git"),
    ("Redux", "React"),
    ("SwiftUI", "Swift"),
    ("SwiftUI", "iOS"),
    ("Jetpack Compose", "Android"),
    ("Jetpack Compose", "Kotlin"),
    ("Helm", "Kubernetes"),
    ("Argo CD", "Kubernetes"),
    ("GitHub Actions", "CI/CD"),
    ("GitLab CI", "CI/CD"),
    ("Jenkins", "CI/CD"),
    ("Argo CD", "CI/CD"),
    ("JUnit", "Unit Testing"),
    ("Jest", "Unit Testing"),
    ("pytest", "Unit Testing"),
    ("TDD", "Unit Testing"),
    ("Kafka", "Message Queue"),
    ("RabbitMQ", "Message Queue"),
    ("Grafana", "Monitoring"),
    ("Prometheus", "Monitoring"),
    ("Datadog", "Monitoring"),
    ("Deep Learning", "Machine Learning"),
    ("PyTorch", "Deep Learning"),
    ("TensorFlow", "Deep Learning"),
    ("scikit-learn", "Machine Learning"),
];

/// Whether having `have` shows `want`: the same skill, or one that implies it.
pub fn shows(have: &Skill, want: &Skill) -> bool {
    std::ptr::eq(have, want) || IMPLIES.iter().any(|(a, b)| *a == have.name && *b == want.name)
}

/// A skill found in a text; offsets are bytes into the text as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub skill: &'static Skill,
    pub start: usize,
    pub end: usize,
}

/// One spelling ready to search for.
struct Needle {
    /// Lowercased unless `case_sensitive`.
    text: String,
    skill: &'static Skill,
    case_sensitive: bool,
}

/// Spellings to look for: each alias as written, and for several words also
/// run together and hyphenated (`Spring Boot`, `SpringBoot`, `Spring-Boot`),
/// as people write them all.
static NEEDLES: LazyLock<Vec<Needle>> = LazyLock::new(|| {
    let mut needles = Vec::new();
    for skill in SKILLS {
        // A name that is also a case-sensitive spelling (`=Go`) is matched only in that case.
        let name_is_cased = skill.aliases.iter().any(|a| a.strip_prefix('=') == Some(skill.name));
        let name = (!name_is_cased).then_some(skill.name);
        let spellings = name.into_iter().chain(skill.aliases.iter().copied());
        for spelling in spellings {
            let (written, case_sensitive) = match spelling.strip_prefix('=') {
                Some(rest) => (rest, true),
                None => (spelling, false),
            };
            let mut variants = vec![written.to_string()];
            if written.contains(' ') {
                variants.push(written.replace(' ', ""));
                variants.push(written.replace(' ', "-"));
            }
            for variant in variants {
                let text = if case_sensitive { variant } else { variant.to_ascii_lowercase() };
                if !needles.iter().any(|n: &Needle| n.text == text && n.case_sensitive == case_sensitive) {
                    needles.push(Needle { text, skill, case_sensitive });
                }
            }
        }
    }
    needles
});

/// Builds the spelling table (pre-initialization).
pub fn warm() {
    LazyLock::force(&NEEDLES);
}

/// Words after a one-letter language that make it one (`C 언어`, `R programming`).
const LANGUAGE_WORDS: &[&str] = &["언어", "language", "programming", "프로그래밍"];
/// Words after a one-letter language at the head of a list item (`- R 사용 경험`).
const USAGE_WORDS: &[&str] =
    &["사용", "활용", "개발", "기반", "능숙", "능력", "코딩", "경험", "스크립트", "프로그래밍"];
/// What sits around an item of a list of skills (`C, C++, Python`, `C/C++`, `(R)`).
const LIST_SEPARATORS: &[char] = &[',', '/', '·', '|', '(', ')', ':', '、', ';', '•', '-', '[', ']'];

/// Spellings that are also ordinary words after certain words: `노드` is
/// Node.js, but `클러스터 노드` is a machine.
const NOT_AFTER: &[(&str, &[&str])] = &[
    (
        "노드",
        &["클러스터", "워커", "마스터", "리프", "루트", "자식", "부모", "트리", "그래프", "DOM", "dom", "단일", "각"],
    ),
    ("=Node", &["Worker", "worker", "Master", "master", "DOM", "Leaf", "leaf"]),
    ("스프링", &["봄", "올해"]),
];

/// Spellings that are also ordinary words before certain words: `Express
/// your ideas` is a verb, `Express로 API 개발` the framework.
const NOT_BEFORE: &[(&str, &[&str])] = &[
    (
        "=Express",
        &["your", "yourself", "my", "our", "their", "his", "her", "interest", "ideas", "concerns", "delivery"],
    ),
    ("=Nest", &["egg", "of"]),
];

/// Syllables a Korean particle or verb ending starts with: after a
/// one-syllable spelling (`깃`) they keep it a word (`깃으로`), anything
/// else makes it part of another word (`깃털`, `펄스`).
const PARTICLE_STARTS: &[char] =
    &['을', '를', '이', '가', '은', '는', '과', '와', '로', '으', '에', '의', '도', '만', '랑', '하', '까', '부', '처'];

/// Whether `needle` found at `start..end` of `text` stands on its own there.
fn stands_alone(text: &str, start: usize, end: usize, needle: &str) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = needle.chars().next().unwrap_or(' ');
    let last = needle.chars().next_back().unwrap_or(' ');
    let short = needle.chars().count() <= 2;

    if first.is_ascii_alphanumeric() || first == '.' {
        // `MySQL` is not SQL, `.js` after `Next` is not JavaScript.
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || (c == '.' && first != '.')) {
            return false;
        }
    } else if is_hangul(first) && before.is_some_and(is_hangul) {
        // `리뷰` is not `뷰`; particles follow words, they never precede them.
        return false;
    }

    if last.is_ascii_alphanumeric() {
        match after {
            Some(c) if c.is_ascii_alphabetic() || c == '_' => return false,
            // `Java8`, `Python3`, `Vue3`; but `S3` in `S30` or `C` in `C4` is another word.
            Some(c) if c.is_ascii_digit() && (short || last.is_ascii_digit()) => return false,
            // `React.memo` is React, `Vue.js` is its own spelling; `Next.js` must not leave `Next`.
            Some('.') if text[end + 1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic()) => {
                let rest = &text[end + 1..];
                let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                if word.eq_ignore_ascii_case("js") || word.eq_ignore_ascii_case("net") {
                    return false;
                }
            }
            // `C++`, `C#`, `R&D`, `Go-to-market`: another word for short spellings.
            Some('+' | '#' | '&' | '\'' | '-') if short => return false,
            _ => {}
        }
    }

    if is_hangul(last)
        && needle.chars().count() == 1
        && after.is_some_and(|c| is_hangul(c) && !PARTICLE_STARTS.contains(&c))
    {
        return false;
    }

    if let Some((_, words)) = NOT_AFTER.iter().find(|(spelling, _)| spelling.trim_start_matches('=') == needle) {
        let previous_word = text[..start].trim_end().rsplit([' ', '\n', '\t']).next().unwrap_or("");
        if words.contains(&previous_word) {
            return false;
        }
    }

    if let Some((_, words)) = NOT_BEFORE.iter().find(|(spelling, _)| spelling.trim_start_matches('=') == needle) {
        let next_word = text[end..].split_whitespace().next().unwrap_or("");
        let next_word = next_word.trim_matches(|c: char| !c.is_alphanumeric()).to_ascii_lowercase();
        if words.contains(&next_word.as_str()) {
            return false;
        }
    }

    if needle.chars().count() == 1 && !is_hangul(first) {
        return single_letter_is_a_language(text, start, end);
    }
    true
}

/// `C` and `R` are languages only where a list or a word says so: `C 언어`,
/// `R programming`, `C, C++`, `(R)`, a line of its own.
fn single_letter_is_a_language(text: &str, start: usize, end: usize) -> bool {
    let rest = text[end..].trim_start_matches(' ');
    if LANGUAGE_WORDS.iter().any(|w| rest.get(..w.len()).is_some_and(|p| p.eq_ignore_ascii_case(w))) {
        return true;
    }
    let next = rest.chars().next();
    let prev = text[..start].trim_end_matches(' ').chars().next_back();
    let edge_or_separator = |c: Option<char>| c.is_none_or(|c| c == '\n' || LIST_SEPARATORS.contains(&c));
    // A particle right after it (`R로`, `C와`) or a word about using it (`R 사용 경험`) keeps it a
    // language; the list check before it still applies, so `Plan C로` stays prose.
    let next_ok = edge_or_separator(next)
        || next.is_some_and(|c| {
            ['및', '와', '과', '로', '으', '를', '을', '이', '가', '은', '는', '도', '만'].contains(&c)
        })
        || USAGE_WORDS.iter().any(|w| rest.starts_with(w));
    edge_or_separator(prev) && next_ok
}

/// Every skill mentioned in `text`, in order, longest spelling first where spellings overlap.
pub fn find(text: &str) -> Vec<Mention> {
    let lowered = text.to_ascii_lowercase();
    let mut found: Vec<Mention> = Vec::new();
    for needle in NEEDLES.iter() {
        let haystack = if needle.case_sensitive { text } else { lowered.as_str() };
        for (start, matched) in haystack.match_indices(needle.text.as_str()) {
            let end = start + matched.len();
            if stands_alone(text, start, end, &needle.text) {
                found.push(Mention { skill: needle.skill, start, end });
            }
        }
    }
    // Longest first, then leftmost: `스프링부트` wins over `스프링`, `JavaScript` over `Java`.
    found.sort_by(|a, b| (b.end - b.start).cmp(&(a.end - a.start)).then(a.start.cmp(&b.start)));
    let mut kept: Vec<Mention> = Vec::with_capacity(found.len());
    for m in found {
        if !kept.iter().any(|k| m.start < k.end && k.start < m.end) {
            kept.push(m);
        }
    }
    kept.sort_by_key(|m| m.start);
    kept
}

/// The distinct skills in `text`, in order of first mention.
pub fn names(text: &str) -> Vec<&'static Skill> {
    let mut out: Vec<&'static Skill> = Vec::new();
    for m in find(text) {
        if !out.iter().any(|s| std::ptr::eq(*s, m.skill)) {
            out.push(m.skill);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&'static str> {
        names(text).iter().map(|s| s.name).collect()
    }

    #[test]
    fn the_dictionary_is_large_and_its_names_are_unique() {
        assert!(SKILLS.len() >= 150, "{} skills", SKILLS.len());
        for (i, a) in SKILLS.iter().enumerate() {
            assert!(SKILLS[i + 1..].iter().all(|b| b.name != a.name), "{} twice", a.name);
        }
    }

    #[test]
    fn no_spelling_belongs_to_two_skills() {
        let needles = &*NEEDLES;
        for (i, a) in needles.iter().enumerate() {
            for b in &needles[i + 1..] {
                assert!(
                    !(a.text == b.text && a.case_sensitive == b.case_sensitive && a.skill.name != b.skill.name),
                    "`{}` is both {} and {}",
                    a.text,
                    a.skill.name,
                    b.skill.name
                );
            }
        }
    }

    #[test]
    fn korean_and_english_spellings_give_the_canonical_name() {
        assert_eq!(found("리액트와 타입스크립트로 개발"), ["React", "TypeScript"]);
        assert_eq!(found("쿠버네티스, k8s 운영"), ["Kubernetes"]);
        assert_eq!(found("스프링부트 기반 API"), ["Spring Boot"]);
        assert_eq!(found("자바스크립트와 JS"), ["JavaScript"]);
        assert_eq!(found("아마존 웹 서비스(AWS) 배포"), ["AWS"]);
        assert_eq!(found("Node.js 와 노드 서버"), ["Node.js"]);
        assert_eq!(found("Spring-Boot, SpringBoot"), ["Spring Boot"]);
    }

    #[test]
    fn a_skill_is_never_read_inside_a_longer_word() {
        assert_eq!(found("JavaScript 개발자"), ["JavaScript"]);
        assert_eq!(found("Google 출신"), Vec::<&str>::new());
        assert_eq!(found("MySQL, PostgreSQL"), ["MySQL", "PostgreSQL"]);
        assert_eq!(found("코드 리뷰 문화"), ["Code Review"]);
        assert_eq!(found("고객 인터뷰와 리뷰"), Vec::<&str>::new());
        assert_eq!(found("Next.js 앱"), ["Next.js"]);
        assert_eq!(found("R&D 센터"), Vec::<&str>::new());
        assert_eq!(found("Go-to-market 전략"), Vec::<&str>::new());
        assert_eq!(found("let's go home"), Vec::<&str>::new());
    }

    #[test]
    fn one_letter_languages_need_a_list_or_the_word_language() {
        assert_eq!(found("C/C++ 개발"), ["C", "C++"]);
        assert_eq!(found("사용 언어: Python, R, SQL"), ["Python", "R", "SQL"]);
        assert_eq!(found("C 언어로 임베디드 개발"), ["C"]);
        assert_eq!(found("C#과 .NET"), ["C#", ".NET"]);
        assert_eq!(found("Plan C로 전환"), Vec::<&str>::new());
        assert_eq!(found("A/B 테스트"), ["A/B Testing"]);
        assert_eq!(found("B2B 영업과 C레벨 보고"), Vec::<&str>::new());
        assert_eq!(found("- R 사용 경험"), ["R"]);
    }

    #[test]
    fn versions_and_particles_stay_with_the_skill() {
        assert_eq!(found("Java8과 Python3, Vue3"), ["Java", "Python", "Vue.js"]);
        assert_eq!(found("React를 사용했고 Spring에서"), ["React", "Spring"]);
    }

    #[test]
    fn implied_skills_name_real_skills() {
        for (a, b) in IMPLIES {
            assert!(by_name(a).is_some() && by_name(b).is_some(), "{a} → {b}");
        }
        assert!(shows(by_name("EC2").unwrap(), by_name("AWS").unwrap()));
        assert!(!shows(by_name("AWS").unwrap(), by_name("EC2").unwrap()));
    }

    #[test]
    fn case_sensitive_spellings_keep_their_case() {
        assert_eq!(found("Go, Rust"), ["Go", "Rust"]);
        assert_eq!(found("REST API 설계"), ["REST API"]);
        assert_eq!(found("take a rest"), Vec::<&str>::new());
    }
}
