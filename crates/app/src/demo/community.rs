//! The demo community's conversations: kind, clearly fictional threads in every default space,
//! among them an anonymous post, a content-warned post, a shared milestone with reactions, and a
//! report a moderator has already resolved (the post edited with a note, in the public log), and
//! a private space with its member list and a request to join.

use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::community::markdown;
use mutual_store::community::{
    self as store, FlagRow, ModerationLogRow, NewPost, ReplyRefused, SpaceMemberRow, SpaceRow,
    ThreadRow,
};
use uuid::Uuid;

/// A post in a demo thread: (author, anonymous, body, hours after the thread began).
type DemoPost = (&'static str, bool, &'static str, i64);

/// A demo thread.
struct DemoThread {
    space: &'static str,
    title: &'static str,
    /// Days ago it began.
    days_ago: i64,
    content_warning: &'static str,
    posts: &'static [DemoPost],
    /// Reactions on the opening post: (member, kind).
    reactions: &'static [(&'static str, &'static str)],
}

const THREADS: &[DemoThread] = &[
    DemoThread {
        space: "introductions",
        title: "Hello from the coast",
        days_ago: 12,
        content_warning: "",
        posts: &[
            (
                "morning_tide",
                false,
                "Hi everyone. I'm a few months into recovery from alcohol and my counsellor suggested finding a peer community. I walk the beach most mornings, which is where the name comes from.\n\nI'm not sure what I hope to find yet. Maybe just people who get it.",
                0,
            ),
            (
                "steady_oak",
                false,
                "Welcome! People who get it is exactly what this place is for. The **Daily check-in** space is a gentle way to start: a line a day is plenty.",
                2,
            ),
            (
                "demo_moderator",
                false,
                "Glad you're here, @morning_tide. Share only what you're comfortable with, and if a day gets hard, the *Need help now?* link at the top is always there.",
                3,
            ),
            (
                "morning_tide",
                false,
                "Thank you both. I'll try the check-in tomorrow.",
                5,
            ),
        ],
        reactions: &[("steady_oak", "support"), ("quiet_river", "support")],
    },
    DemoThread {
        space: "daily-check-in",
        title: "Thursday check-in",
        days_ago: 2,
        content_warning: "",
        posts: &[
            (
                "quiet_river",
                false,
                "Honestly a rough couple of days. Work stress and I've been sleeping badly. Cravings are louder than they've been in weeks. Still here though.",
                0,
            ),
            (
                "new_leaf",
                false,
                "Still here counts for a lot. What helped me on nights like that was texting someone before it got late, even just \"hey, hard night\".",
                1,
            ),
            (
                "morning_tide",
                false,
                "Thinking of you. I went to an online meeting last night when I couldn't settle; the finder shows ones starting soon.",
                4,
            ),
            (
                "quiet_river",
                false,
                "Thank you. I'll look for one tonight.",
                6,
            ),
        ],
        reactions: &[
            ("new_leaf", "support"),
            ("morning_tide", "support"),
            ("steady_oak", "me_too"),
        ],
    },
    DemoThread {
        space: "wins-and-milestones",
        title: "Milestone: 1 year",
        days_ago: 5,
        content_warning: "",
        posts: &[
            (
                "steady_oak",
                false,
                "I reached 1 year today. A year ago I couldn't imagine a week without placing a bet. Thank you all for being part of it.",
                0,
            ),
            (
                "morning_tide",
                false,
                "A whole year! That's wonderful. Thank you for the welcome when I joined.",
                1,
            ),
            (
                "demo_moderator",
                false,
                "Congratulations. Your posts in Program talk have helped more people than you know.",
                3,
            ),
        ],
        reactions: &[
            ("morning_tide", "congrats"),
            ("quiet_river", "congrats"),
            ("new_leaf", "congrats"),
        ],
    },
    DemoThread {
        space: "struggles-and-slips",
        title: "Slipped after a family wedding",
        days_ago: 4,
        content_warning: "relapse details",
        posts: &[
            (
                "new_leaf",
                true,
                "I had been doing well for two months and then at my cousin's wedding I drank. Everyone was celebrating and I told myself one glass would be fine. It wasn't one.\n\nI feel ashamed, and I almost didn't post this.",
                0,
            ),
            (
                "steady_oak",
                false,
                "I'm really glad you did post it. A slip doesn't erase two months: that learning is still yours. What do you need this week?",
                1,
            ),
            (
                "quiet_river",
                false,
                "Weddings are so hard. Next time maybe plan an exit time and a person to call. You're not alone in this.",
                2,
            ),
            (
                "new_leaf",
                true,
                "Thank you. I've restarted my clock and booked a meeting for Saturday.",
                8,
            ),
        ],
        reactions: &[("steady_oak", "support"), ("quiet_river", "me_too")],
    },
    DemoThread {
        space: "struggles-and-slips",
        title: "A bad night",
        days_ago: 1,
        content_warning: "suicidal thoughts",
        posts: &[
            (
                "quiet_river",
                true,
                "Some nights I want to end it all, and tonight is one of them. I haven't used, but I keep thinking about it.",
                20,
            ),
            (
                "steady_oak",
                false,
                "I'm really glad you wrote here. You don't have to get through tonight alone: the crisis lines on the Help page answer at any hour, and I'm around too.",
                21,
            ),
        ],
        reactions: &[],
    },
    DemoThread {
        space: "program-talk",
        title: "What helped you with a personal inventory?",
        days_ago: 9,
        content_warning: "",
        posts: &[
            (
                "new_leaf",
                false,
                "My sponsor suggested starting an inventory and I keep putting it off. How did you approach it?",
                0,
            ),
            (
                "steady_oak",
                false,
                "I did it in small pieces: twenty minutes, three times a week. In SMART there's a similar exercise, the cost-benefit analysis, which I found less daunting to start with.",
                3,
            ),
            (
                "morning_tide",
                false,
                "Writing it by hand helped me slow down. And I talked it through with my counsellor afterwards.",
                20,
            ),
        ],
        reactions: &[("new_leaf", "thanks")],
    },
    DemoThread {
        space: "family-and-friends",
        title: "Telling my parents",
        days_ago: 15,
        content_warning: "",
        posts: &[
            (
                "quiet_river",
                false,
                "I'm thinking about telling my parents I'm in recovery. They know something was wrong last year but not what. Did anyone else have this conversation?",
                0,
            ),
            (
                "morning_tide",
                false,
                "I told my mum over a walk rather than across a table; it felt less like a confession. She had more questions than judgement.",
                5,
            ),
        ],
        reactions: &[("morning_tide", "support")],
    },
    DemoThread {
        space: "off-topic",
        title: "What are you cooking this week?",
        days_ago: 6,
        content_warning: "",
        posts: &[
            (
                "morning_tide",
                false,
                "Trying a big pot of lentil soup on Sunday so weekday lunches are sorted. Regular meals have made a real difference to my evenings.",
                0,
            ),
            (
                "steady_oak",
                false,
                "Same idea here with chilli. Anyone have a good bread recipe for a beginner?",
                4,
            ),
            (
                "quiet_river",
                false,
                "Giving away my old bike too, if anyone nearby wants it: write to me on the site.",
                30,
            ),
        ],
        reactions: &[("new_leaf", "me_too")],
    },
    DemoThread {
        space: "parents-in-recovery",
        title: "School runs and early evenings",
        days_ago: 3,
        content_warning: "",
        posts: &[
            (
                "morning_tide",
                false,
                "The hour after the school run used to be when I'd pour the first drink. Now I keep a flask of tea in the car and call someone on the way home.",
                0,
            ),
            (
                "steady_oak",
                false,
                "Early evenings were mine. Bath time became my meeting: phone off, kids first, then I check in here once they're asleep.",
                3,
            ),
        ],
        reactions: &[("steady_oak", "support")],
    },
];

fn id_of(users: &[(&'static str, UserId)], name: &str) -> Result<UserId, AppError> {
    users
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, id)| *id)
        .ok_or_else(|| AppError::Internal(format!("no demo member {name}")))
}

/// A private space for parents in recovery: two members on its list, one asking to join.
async fn seed_private_space(app: &App, users: &[(&'static str, UserId)]) -> Result<(), AppError> {
    let now = app.clock.now().millis();
    let space = SpaceRow {
        id: Uuid::now_v7(),
        slug: "parents-in-recovery".to_owned(),
        name: "Parents in recovery".to_owned(),
        description: "Raising children while staying well: for members who are parents. Only those on the list can read it.".to_owned(),
        position: 8,
        visibility: "private".to_owned(),
        purpose: "general".to_owned(),
        guidance: String::new(),
        created_at: now,
    };
    store::upsert_space(&app.db, &space).await?;
    for (name, status) in [
        ("morning_tide", "member"),
        ("steady_oak", "member"),
        ("new_leaf", "requested"),
    ] {
        let row = SpaceMemberRow {
            space_id: space.id,
            user_id: id_of(users, name)?.0,
            status: status.to_owned(),
            created_at: now,
        };
        store::upsert_space_member(&app.db, &row).await?;
    }
    Ok(())
}

/// Posts the demo conversations as the demo members, in the past, and resolves a report.
pub(super) async fn seed_community(
    app: &App,
    users: &[(&'static str, UserId)],
) -> Result<(), AppError> {
    seed_private_space(app, users).await?;
    let spaces = store::list_spaces(&app.db).await?;
    let now = app.clock.now().millis();
    let hour: i64 = 3600 * 1000;
    let mut edited = None;
    for demo in THREADS {
        let Some(space) = spaces.iter().find(|s| s.slug == demo.space) else {
            continue;
        };
        let began = now - demo.days_ago * 24 * hour;
        let mut thread = None;
        for (n, (author, anonymous, body, hours)) in demo.posts.iter().enumerate() {
            let author_id = id_of(users, author)?;
            let post = NewPost {
                id: Uuid::now_v7(),
                author_id: author_id.0,
                anonymous: *anonymous,
                body: (*body).to_owned(),
                html: markdown::render(body),
                content_warning: if n == 0 { demo.content_warning } else { "" }.to_owned(),
                crisis: body.contains("end it all"),
                state: "published".to_owned(),
                quoted_post: None,
                created_at: began + hours * hour,
            };
            let thread_id = match thread {
                None => {
                    let row = ThreadRow {
                        id: Uuid::now_v7(),
                        space_id: space.id,
                        author_id: Some(author_id.0),
                        anonymous: *anonymous,
                        title: demo.title.to_owned(),
                        state: "open".to_owned(),
                        locked: false,
                        post_count: 1,
                        created_at: post.created_at,
                        last_post_at: post.created_at,
                        version: 0,
                    };
                    store::insert_thread(&app.db, &row, &post).await?;
                    for (member, kind) in demo.reactions {
                        let member = id_of(users, member)?;
                        store::insert_reaction(&app.db, post.id, member, kind, post.created_at)
                            .await?;
                    }
                    thread = Some(row.id);
                    row.id
                }
                Some(thread) => {
                    if let Err(ReplyRefused::Locked | ReplyRefused::Gone) =
                        store::insert_reply(&app.db, thread, &post).await?
                    {
                        return Err(AppError::Internal("a demo thread refused a reply".into()));
                    }
                    thread
                }
            };
            store::insert_subscription(&app.db, thread_id, author_id, now).await?;
            if post.crisis {
                crate::community::moderation::raise(app, post.id, "crisis", 0).await?;
            }
            if body.contains("write to me on the site") {
                edited = Some((post.id, space.name.clone(), thread_id));
            }
        }
    }
    if let Some((post, space_name, thread)) = edited {
        resolve_report(app, users, post, &space_name, thread).await?;
    }
    Ok(())
}

/// A member flagged a post that invited contact off the site; a moderator edited it with a
/// note, which closed the report and wrote the public log.
async fn resolve_report(
    app: &App,
    users: &[(&'static str, UserId)],
    post_id: Uuid,
    space_name: &str,
    thread: Uuid,
) -> Result<(), AppError> {
    let reporter = id_of(users, "steady_oak")?;
    let moderator = id_of(users, "demo_moderator")?;
    let now = app.clock.now().millis();
    let hour: i64 = 3600 * 1000;
    store::insert_flag(
        &app.db,
        &FlagRow {
            id: Uuid::now_v7(),
            post_id,
            reporter_id: Some(reporter.0),
            reason: "other".to_owned(),
            note: "Kindly meant, but it asks people to get in touch off the site.".to_owned(),
            weight: 2,
            priority: 2,
            created_at: now - 20 * hour,
            resolved_at: None,
            resolved_by: None,
            outcome: None,
        },
    )
    .await?;
    let post = store::find_post(&app.db, post_id)
        .await?
        .ok_or_else(|| AppError::Internal("the demo post is missing".into()))?;
    let body = "Giving away my old bike too, if anyone nearby wants it: reply here and we can arrange it through the moderators.";
    let note = "Edited so contact stays on the site; the offer itself is welcome.";
    store::update_post_body(
        &app.db,
        &post,
        body,
        &markdown::render(body),
        moderator,
        note,
        now - 18 * hour,
    )
    .await?;
    store::resolve_flags(&app.db, post_id, moderator, "upheld", now - 18 * hour).await?;
    store::insert_moderation_log(
        &app.db,
        &ModerationLogRow {
            id: Uuid::now_v7(),
            action: "edited".to_owned(),
            space_name: space_name.to_owned(),
            thread_id: Some(thread),
            post_id: Some(post_id),
            moderator_id: Some(moderator.0),
            reason: note.to_owned(),
            created_at: now - 18 * hour,
        },
    )
    .await?;
    Ok(())
}
