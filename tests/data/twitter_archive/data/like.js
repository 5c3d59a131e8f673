window.YTD.like.part0 = [
  {
    "like" : {
      "tweetId" : "1587270902231171073",
      "fullText" : "T2 what does trust look like? #hcldr",
      "expandedUrl" : "https://twitter.com/i/web/status/1587270902231171073"
    }
  }
]
