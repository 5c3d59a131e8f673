window.YTD.follower.part0 = [
  {
    "follower" : {
      "accountId" : "20146577",
      "userLink" : "https://twitter.com/intent/user?user_id=20146577"
    }
  }
]
