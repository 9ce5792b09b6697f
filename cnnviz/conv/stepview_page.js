cnnvizPlayer(document, JSON.parse(document.getElementById("svdata").textContent), () => {});
