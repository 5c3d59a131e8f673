window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [ "1587269420112248832" ],
          "editableUntil" : "2022-11-01T02:06:17.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ { "text" : "HCLDR", "indices" : [ "44", "50" ] } ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ]
      },
      "display_text_range" : [ "0", "50" ],
      "favorite_count" : "3",
      "id_str" : "1587269420112248832",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1587269420112248832",
      "created_at" : "Tue Nov 01 01:06:17 +0000 2022",
      "favorited" : false,
      "full_text" : "A1 listening to patients &amp; families first #HCLDR",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for iPhone</a>",
      "entities" : {
        "hashtags" : [ { "text" : "hcldr", "indices" : [ "45", "51" ] } ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Colleen Young", "screen_name" : "colleen_young", "indices" : [ "3", "17" ], "id_str" : "20146577", "id" : "20146577" } ],
        "urls" : [ ]
      },
      "display_text_range" : [ "0", "51" ],
      "favorite_count" : "0",
      "id_str" : "1587270011466932225",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1587270011466932225",
      "created_at" : "Tue Nov 01 01:08:38 +0000 2022",
      "favorited" : false,
      "full_text" : "RT @colleen_young: T2 what does trust look like? #hcldr",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ { "text" : "HCLDR", "indices" : [ "34", "40" ] } ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Colleen Young", "screen_name" : "colleen_young", "indices" : [ "0", "14" ], "id_str" : "20146577", "id" : "20146577" } ],
        "urls" : [ ]
      },
      "display_text_range" : [ "0", "40" ],
      "favorite_count" : "1",
      "in_reply_to_user_id_str" : "20146577",
      "id_str" : "1587270515366412288",
      "in_reply_to_user_id" : "20146577",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1587270515366412288",
      "created_at" : "Tue Nov 01 01:10:38 +0000 2022",
      "favorited" : false,
      "full_text" : "@colleen_young A2 it looks like time #HCLDR",
      "lang" : "en",
      "in_reply_to_screen_name" : "colleen_young"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ { "text" : "HCLDR", "indices" : [ "52", "58" ] } ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Dr. Sam Patel", "screen_name" : "DrSamPatel", "indices" : [ "0", "11" ], "id_str" : "377101938", "id" : "377101938" } ],
        "urls" : [ ]
      },
      "display_text_range" : [ "0", "58" ],
      "favorite_count" : "2",
      "in_reply_to_status_id_str" : "1587270902231171073",
      "in_reply_to_user_id_str" : "377101938",
      "in_reply_to_status_id" : "1587270902231171073",
      "in_reply_to_user_id" : "377101938",
      "id_str" : "1587271199079542784",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1587271199079542784",
      "created_at" : "Tue Nov 01 01:13:21 +0000 2022",
      "favorited" : false,
      "full_text" : "@DrSamPatel agreed, and it takes &lt;5 minutes #HCLDR",
      "lang" : "en",
      "in_reply_to_screen_name" : "DrSamPatel"
    }
  }
]
