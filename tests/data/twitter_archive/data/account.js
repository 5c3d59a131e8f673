window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "hcldr.fan@example.org",
      "createdVia" : "web",
      "username" : "NurseJoan",
      "accountId" : "2871430125",
      "createdAt" : "2014-11-10T22:02:39.000Z",
      "accountDisplayName" : "Joan Okafor RN"
    }
  }
]
