"""Harder phrasings: hypernyms, extents, entering/leaving, relations between movers, combined constraints."""

from __future__ import annotations

from scene_spec import Case, T, line, still, via


def add_harder(c: list[Case]) -> None:
    """Second batch: hypernyms, relations to nearby objects, extents, entering/leaving, terse commands."""
    add = c.append
    add(Case("hypernym", "the animal", [T("car", still(150, 300)), T("person", line(300, 200, 450, 200)),
                                        T("dog", still(480, 380))], [2]))
    add(Case("hypernym", "the vehicle that's moving", [T("car", still(150, 150)), T("truck", line(150, 330, 480, 330)),
                                                       T("person", line(500, 150, 350, 150))], [1]))
    add(Case("hypernym", "all the animals", [T("dog", still(100, 350)), T("cat", still(250, 380)),
                                             T("person", still(330, 200)), T("car", still(520, 150)),
                                             T("horse", line(400, 360, 540, 360))], [0, 1, 4]))
    add(Case("hypernym", "the largest animal", [T("dog", still(120, 350)), T("cat", still(300, 380)),
                                                T("horse", still(480, 300))], [2]))

    add(Case("near", "the cup next to the bottle", [T("bottle", still(450, 300)), T("cup", still(510, 310)),
                                                    T("cup", still(120, 310))], [1]))
    add(Case("near", "the dog beside the person", [T("person", still(150, 280)), T("dog", still(240, 320)),
                                                   T("dog", still(500, 330))], [1]))
    add(Case("near", "the bird above the car", [T("car", still(400, 360)), T("bird", still(400, 220)),
                                                T("bird", still(120, 380))], [1]))
    add(Case("near", "the ball near the box", [T("box", still(300, 350)), T("ball", still(375, 370)),
                                               T("ball", still(560, 100))], [1]))

    add(Case("extent", "the ball that rolled the farthest", [T("ball", line(100, 150, 200, 150)),
                                                             T("ball", line(120, 300, 520, 300)),
                                                             T("ball", line(500, 420, 300, 420))], [1]))
    add(Case("extent", "the person who moved the least", [T("person", line(100, 200, 400, 200)),
                                                          T("person", line(300, 330, 360, 330)),
                                                          T("person", line(550, 380, 350, 380))], [1]))
    add(Case("extent", "the two fastest cars", [T("car", line(100, 100, 500, 100)), T("car", line(520, 220, 170, 220)),
                                                T("car", line(200, 330, 300, 330)), T("car", still(500, 420))], [0, 1]))

    add(Case("enter_exit", "the person who walks out of the picture",
             [T("person", line(300, 250, 800, 250), may_leave=True), T("person", still(150, 300)),
              T("person", line(450, 350, 520, 350))], [0]))
    add(Case("enter_exit", "the car that enters from the left",
             [T("car", line(-150, 330, 380, 330), may_leave=True), T("car", still(450, 150)),
              T("car", line(560, 240, 380, 240))], [0]))
    add(Case("enter_exit", "the dog that shows up later",
             [T("dog", line(320, 330, 480, 330)), T("dog", still(150, 150)),
              T("dog", line(150, 400, 300, 400), hide=[(0.0, 0.5)])], [2]))

    add(Case("temporal2", "the one that stopped", [T("dog", via((0, 100, 200), (0.4, 350, 200), (1, 350, 200))),
                                                   T("cat", line(100, 380, 520, 380)), T("person", still(520, 200))],
             [0]))
    add(Case("temporal2", "the car that pulls away", [T("car", via((0, 150, 150), (0.5, 150, 150), (1, 480, 150))),
                                                      T("car", line(520, 300, 120, 300)), T("car", still(350, 420))],
             [0]))
    add(Case("temporal2", "the kid who ran back and forth",
             [T("person", via((0, 150, 250), (0.25, 450, 250), (0.5, 150, 250), (0.75, 450, 250), (1, 150, 250))),
              T("person", line(100, 380, 520, 380))], [0]))
    add(Case("temporal2", "the one still moving at the end",
             [T("dog", line(100, 200, 520, 200)), T("dog", via((0, 500, 350), (0.4, 250, 350), (1, 250, 350)))], [0]))
    add(Case("temporal2", "the cup that was picked up",
             [T("cup", via((0, 250, 380), (0.5, 250, 380), (1, 250, 200))), T("cup", still(420, 380)),
              T("bottle", still(520, 360))], [0]))
    add(Case("temporal2", "the dog that was moving at first",
             [T("dog", via((0, 100, 200), (0.4, 350, 200), (1, 350, 200))),
              T("dog", via((0, 150, 380), (0.6, 150, 380), (1, 450, 380)))], [0]))

    add(Case("direction2", "the bird flying to the upper left", [T("bird", line(450, 380, 200, 150)),
                                                                 T("bird", line(150, 400, 450, 150)),
                                                                 T("bird", line(500, 100, 250, 330))], [0]))
    add(Case("direction2", "the pedestrian crossing from left to right",
             [T("person", line(100, 250, 500, 250)), T("person", line(520, 350, 150, 350)),
              T("car", line(100, 130, 450, 130))], [0]))
    add(Case("direction2", "the dog heading off to the left", [T("dog", line(200, 300, 500, 300)),
                                                               T("dog", line(480, 180, 150, 180))], [1]))
    add(Case("direction2", "the horse galloping away to the right",
             [T("horse", line(450, 150, 150, 150)), T("horse", line(130, 330, 500, 330)), T("horse", still(520, 200))],
             [1]))
    add(Case("direction2", "the ball coming towards the bottom", [T("ball", line(200, 100, 220, 400)),
                                                                  T("ball", line(450, 400, 430, 100))], [0]))

    add(Case("terse", "left dog", [T("dog", still(480, 320)), T("dog", still(110, 300))], [1]))
    add(Case("terse", "moving cup", [T("cup", still(150, 300)), T("cup", line(300, 350, 500, 250)),
                                     T("cup", still(520, 120))], [1]))
    add(Case("terse", "red one", [T("ball", still(150, 300), color="red"), T("car", still(400, 200), color="blue"),
                                  T("person", still(520, 330), color="green")], [0]))
    add(Case("terse", "fastest", [T("person", line(100, 200, 200, 200)), T("dog", line(100, 330, 540, 330)),
                                  T("car", line(500, 120, 330, 120))], [1]))
    add(Case("terse", "biggest dog, please", [T("dog", still(150, 300), size=(70, 46)),
                                              T("dog", still(420, 320), size=(190, 130))], [1]))

    add(Case("label_variant", "the ball", [T("sports ball", still(200, 350), size=(36, 36)), T("cup", still(400, 300)),
                                           T("person", line(500, 250, 300, 250))], [0]))
    add(Case("label_variant", "the motorcycle", [T("motorbike", line(150, 300, 450, 300), size=(110, 75)),
                                                 T("bicycle", still(500, 150)), T("person", still(150, 150))], [0]))
    add(Case("label_variant", "the puppy on the right", [T("Dog", still(500, 320), size=(90, 60)),
                                                         T("Dog", still(150, 330), size=(90, 60))], [0]))
    add(Case("spatial", "the third person from the left",
             [T("person", still(330, 260)), T("person", still(80, 260)), T("person", still(570, 260)),
              T("person", still(200, 260)), T("person", still(450, 260))], [0]))

    add(Case("camera", "the dog that runs to the right",
             [T("dog", still(200, 150)), T("dog", line(150, 300, 300, 300)), T("dog", line(400, 400, 250, 400))], [1],
             pan=(200, 0)))
    add(Case("camera", "the parked cars",
             [T("car", still(130, 300)), T("car", still(510, 300)), T("car", line(200, 120, 450, 130))], [0, 1],
             zoom=1.4))
    add(Case("camera", "the cat walking up",
             [T("cat", still(150, 380)), T("cat", line(350, 420, 350, 220)), T("cat", line(520, 150, 520, 300))], [1],
             pan=(0, -150)))
    add(Case("camera", "the slowest car",
             [T("car", line(100, 120, 200, 120)), T("car", line(500, 260, 200, 260)),
             T("car", line(550, 400, 100, 400))],
             [0], pan=(200, 0)))

    add(Case("multi", "the three sheep", [T("sheep", still(120, 300)), T("sheep", line(300, 330, 400, 330)),
                                          T("sheep", still(520, 300)), T("dog", still(320, 150)),
                                          T("person", still(550, 130))], [0, 1, 2]))
    add(Case("multi", "the cats on the right", [T("cat", still(100, 300)), T("cat", still(450, 310)),
                                                T("cat", still(560, 320))], [1, 2]))
    add(Case("multi", "both moving dogs", [T("dog", line(100, 200, 400, 200)), T("dog", line(500, 350, 200, 350)),
                                           T("dog", still(520, 150))], [0, 1]))


def add_combined(c: list[Case]) -> None:
    """Third batch: more temporal phrasings, relations between movers, depth, and combined constraints."""
    add = c.append
    add(Case("temporal2", "the dog that comes back", [T("dog", line(100, 200, 500, 200)),
                                                      T("dog", via((0, 150, 360), (0.5, 470, 360), (1, 160, 360)))],
             [1]))
    add(Case("temporal2", "the person who keeps walking",
             [T("person", via((0, 100, 250), (0.4, 330, 250), (1, 330, 250))), T("person", line(520, 330, 120, 330))],
             [1]))
    add(Case("temporal2", "the car that starts moving first",
             [T("car", via((0, 100, 150), (0.6, 100, 150), (1, 400, 150))), T("car", line(100, 330, 520, 330))], [1]))
    add(Case("temporal2", "the cat that was sitting and then walked away",
             [T("cat", still(150, 200)), T("cat", via((0, 300, 380), (0.45, 300, 380), (1, 540, 380)))], [1]))
    add(Case("temporal2", "the person who paused for a while",
             [T("person", via((0, 100, 250), (0.3, 250, 250), (0.7, 250, 250), (1, 400, 250))),
              T("person", line(120, 380, 520, 380))], [0]))
    add(Case("temporal2", "the bird that lands", [T("bird", line(100, 100, 520, 120)),
                                                  T("bird", via((0, 500, 150), (0.5, 300, 350), (1, 300, 350)))], [1]))

    add(Case("static2", "the motionless cat", [T("cat", line(100, 300, 450, 300)), T("cat", still(500, 150))], [1]))
    add(Case("static2", "the ball that is rolling", [T("ball", still(150, 300)), T("ball", line(250, 400, 550, 400)),
                                                     T("ball", still(450, 150))], [1]))
    add(Case("static2", "the thing that moves", [T("chair", still(150, 300)), T("dog", line(250, 400, 500, 380)),
                                                 T("bottle", still(450, 150))], [1]))
    add(Case("static2", "the object on the far left", [T("chair", still(300, 300)), T("bottle", still(60, 320)),
                                                       T("cup", still(500, 330))], [1]))

    add(Case("relation2", "the horse going the opposite way to the others",
             [T("horse", line(500, 150, 200, 150)), T("horse", line(520, 300, 220, 300)),
              T("horse", line(150, 420, 480, 420))], [2]))
    add(Case("relation2", "the car going the same way as the bus",
             [T("bus", line(120, 150, 420, 150)), T("car", line(100, 330, 400, 330)),
             T("car", line(520, 420, 200, 420))],
             [1]))
    add(Case("relation2", "the person following the dog",
             [T("dog", line(250, 330, 550, 330)), T("person", line(100, 300, 400, 300)),
              T("person", line(550, 150, 250, 150))], [1]))
    add(Case("relation2", "the dog chasing the cat",
             [T("cat", line(300, 300, 560, 300)), T("dog", line(100, 300, 480, 300)),
             T("dog", line(500, 130, 200, 130))],
             [1]))
    add(Case("relation2", "the cup between the two bottles",
             [T("bottle", still(200, 300)), T("cup", still(300, 315)), T("bottle", still(400, 300)),
              T("cup", still(550, 315))], [1]))
    add(Case("relation2", "the kid closest to the dog",
             [T("dog", still(450, 380)), T("person", still(380, 300)), T("person", still(100, 260))], [1]))

    add(Case("depth", "the person walking towards the camera",
             [T("person", line(200, 260, 220, 300), size=(40, 100), grow=2.0),
              T("person", line(450, 300, 430, 250), size=(80, 200), grow=0.5)], [0]))
    add(Case("depth", "the car driving away from the camera",
             [T("car", line(200, 350, 260, 250), size=(200, 100), grow=0.45), T("car", still(480, 200))], [0]))
    add(Case("size2", "the taller person", [T("person", still(200, 300), size=(40, 90)),
                                            T("person", still(450, 260), size=(60, 190))], [1]))

    add(Case("combined", "the rightmost moving car",
             [T("car", line(350, 150, 480, 150)), T("car", still(570, 330)), T("car", line(200, 400, 100, 400))], [0]))
    add(Case("combined", "the biggest moving ball",
             [T("ball", still(150, 300), size=(90, 90)), T("ball", line(300, 150, 500, 150), size=(60, 60)),
              T("ball", line(500, 380, 300, 380), size=(25, 25))], [1]))
    add(Case("combined", "the red car that is parked",
             [T("car", line(100, 150, 450, 150), color="red"), T("car", still(200, 330), color="red"),
              T("car", still(480, 330), color="blue")], [1]))
    add(Case("combined", "the smaller dog running left",
             [T("dog", line(500, 150, 150, 150), size=(130, 90)), T("dog", line(520, 330, 200, 330), size=(60, 40)),
              T("dog", line(150, 420, 450, 420), size=(60, 40))], [1]))
    add(Case("combined", "the two moving dogs on the right",
             [T("dog", line(100, 200, 180, 200)), T("dog", line(420, 150, 520, 150)),
              T("dog", line(560, 350, 460, 350)), T("dog", still(500, 250))], [1, 2]))
    add(Case("combined", "the blue car heading left",
             [T("car", line(500, 150, 150, 150), color="blue"), T("car", line(150, 300, 500, 300), color="blue"),
              T("car", line(520, 420, 200, 420), color="white")], [0]))

    add(Case("camera", "the person standing still",
             [T("person", line(150, 260, 420, 260)), T("person", still(400, 300)),
             T("person", line(550, 350, 350, 350))],
             [1], pan=(-180, 0)))
    add(Case("camera", "the stationary bird",
             [T("bird", line(150, 150, 400, 120)), T("bird", still(500, 330)), T("bird", line(420, 250, 200, 380))],
             [1], zoom=1.25))
    add(Case("camera", "the dog running up the screen",
             [T("dog", line(200, 400, 200, 250)), T("dog", still(450, 250)), T("dog", line(350, 150, 350, 300))],
             [0], pan=(0, 120)))
