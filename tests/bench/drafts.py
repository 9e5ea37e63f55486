"""Drafts for the benchmarks: one sentence, five sentences, about 80 and about 300 words."""

ONE_SENTENCE = "Mom, you never call me back when I leave you a message."

FIVE_SENTENCES = (
    "Hi Mom, I got home safe last night. "
    "I wanted to talk about Sunday, because it's still on my mind. "
    "You always bring up my weight in front of everyone. "
    "I feel like you don't care how that lands with me. "
    "Can we talk on the phone this week?"
)

EIGHTY_WORDS = (
    "Hi Mom, thanks for the birthday card, it made my week. "
    "I need to tell you something that has been bothering me since the weekend. "
    "You always bring up my weight in front of everyone, and on Sunday it happened again "
    "at the table. I feel like you don't care how that lands with me. "
    "It's not that I don't want to see you; I love our Sunday lunches. "
    "Could we talk on the phone this week, just the two of us, before the next one?"
)

THREE_HUNDRED_WORDS = (
    "Dear Mum,\n\n"
    "I've been putting off writing this for a while, and I want to start by saying thank you "
    "for coming up for the baby's first birthday. The kids loved having you there, and the cake "
    "you made was the best part of the day. I know the drive is long and that your knee has "
    "been bothering you since the spring. "
    "There is something I need to say, though, and it has been building for months. "
    "You never ask about my work, even though you know how hard I've been trying to get this "
    "promotion. Every time I bring it up, the conversation turns to my sister's house or my "
    "cousin's new job. I feel like you think my job isn't a real career. "
    "The problem is that you won't let me make my own choices about the kids either. "
    "When Jake said no to a second slice of cake, you told him his father was too strict. "
    "That stayed with me all week. "
    "I'm not writing to start a fight. I love you and I want us to be closer than we are. "
    "I would like to find a way to talk about these things without either of us getting "
    "defensive. Maybe we could have a phone call on Sunday evenings, just the two of us, when "
    "the kids are in bed and the house is quiet. "
    "I've also been thinking about Christmas. We'd love to host this year if you're up for the "
    "trip, and I'd really like you to stay for a few days rather than one night. "
    "The spare room is finally finished, and the new mattress is much better than the old one. "
    "Let me know what you think when you've had a chance to read this. "
    "Take your time; there's no rush. "
    "Love always,\nSam"
)

DRAFTS = {
    "1 sentence": ONE_SENTENCE,
    "5 sentences": FIVE_SENTENCES,
    "80 words": EIGHTY_WORDS,
    "300 words": THREE_HUNDRED_WORDS,
}
