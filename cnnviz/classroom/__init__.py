"""Teaching a class: classes with join codes and nicknames, predict-then-reveal questions, the
class's own drawings, and the classroom server (``python -m cnnviz.classroom.serve``) with its nginx
front and process supervisor."""

__all__ = ["class_data", "classes", "nginx", "questions", "serve", "supervise"]
