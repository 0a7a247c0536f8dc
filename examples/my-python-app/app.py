# The course note's example: a small web application in a container.
# `kubik build -t my-python-app .` makes its image from the Dockerfile beside
# it; `kubik run -d -p 5000:5000 --name web my-python-app` starts it, and
# http://localhost:5000 answers.
import os
import socket

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    # The hostname is the container's (lesson 2's UTS namespace): a second
    # container of the same image answers with another one.
    greeting = os.environ.get("GREETING", "Hello")
    return f"{greeting} from my-python-app in container {socket.gethostname()}!\n"


@app.route("/health")
def health():
    return "ok\n"


if __name__ == "__main__":
    # 0.0.0.0, not Flask's default 127.0.0.1: the container's 127.0.0.1 is
    # its own loopback, which a published port never reaches (lesson 6).
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")))
